import unicodedata

import pytest
from django.core.exceptions import ValidationError

from annotator import services
from annotator.models import Annotation, Code, Codebook, Document, DocumentStatus


@pytest.fixture
def coder(make_user):
    return make_user("coder")


def test_document_create_normalises_to_nfc_and_records_hash_and_length(demo_project):
    decomposed = unicodedata.normalize("NFD", "Café in Tel Aviv\r\nline two")
    document = services.document_create(project=demo_project, text=decomposed, title="t")
    assert document.text == "Café in Tel Aviv\nline two"
    assert unicodedata.is_normalized("NFC", document.text)
    assert document.length == len(document.text) == 25
    assert len(document.text_sha256) == 64


def test_document_create_refuses_a_duplicate_text(demo_project):
    text = Document.objects.get(pk=2).text
    with pytest.raises(ValidationError, match="same text"):
        services.document_create(project=demo_project, text=text)
    assert Document.objects.count() == 5


def test_document_update_refuses_a_text_change_with_a_clear_error(demo_project):
    document = Document.objects.get(pk=1)
    with pytest.raises(ValidationError, match="cannot change"):
        services.document_update(document=document, text="new", title="x")
    document.refresh_from_db()
    assert document.title == ""


def test_annotation_create_stores_code_points_and_is_idempotent(demo_project, coder):
    document = Document.objects.get(pk=4)  # starts with flag emoji
    code = Code.objects.get(name="cooperation")
    start = document.text.index("Israel, Russia")
    a, created = services.annotation_create(
        document=document, coder=coder, code=code, start_offset=start, end_offset=start + 14
    )
    assert created and document.text[a.start_offset : a.end_offset] == "Israel, Russia"
    assert start == 6  # 5 code points (4 regional indicators, handshake) + newline; UTF-16 says 11
    again, created_again = services.annotation_create(
        document=document, coder=coder, code=code, start_offset=start, end_offset=start + 14
    )
    assert again.pk == a.pk and not created_again
    assert Annotation.objects.count() == 1
    assert DocumentStatus.objects.get(document=document, coder=coder).state == "in_progress"


@pytest.mark.parametrize(
    "start,end,field",
    [(-1, 3, "start_offset"), (5, 5, "end_offset"), (9, 2, "end_offset"), (0, 10**6, "end_offset")],
)
def test_annotation_create_rejects_bad_offsets(demo_project, coder, start, end, field):
    document = Document.objects.get(pk=1)
    with pytest.raises(ValidationError) as info:
        services.annotation_create(
            document=document,
            coder=coder,
            code=Code.objects.get(pk=1),
            start_offset=start,
            end_offset=end,
        )
    assert field in info.value.message_dict
    assert not Annotation.objects.exists()


def test_annotation_create_rejects_a_code_of_another_codebook(demo_project, coder):
    other = Codebook.objects.create(name="Other")
    foreign = Code.objects.create(codebook=other, name="foreign")
    with pytest.raises(ValidationError) as info:
        services.annotation_create(
            document=Document.objects.get(pk=1),
            coder=coder,
            code=foreign,
            start_offset=0,
            end_offset=3,
        )
    assert "code" in info.value.message_dict
    assert not Annotation.objects.exists()


def test_annotation_delete_only_by_its_coder(demo_project, coder, make_user):
    a, _ = services.annotation_create(
        document=Document.objects.get(pk=1),
        coder=coder,
        code=Code.objects.get(pk=1),
        start_offset=0,
        end_offset=3,
    )
    with pytest.raises(ValidationError):
        services.annotation_delete(annotation=a, user=make_user("other"))
    services.annotation_delete(annotation=a, user=coder)
    assert not Annotation.objects.exists()


def test_document_status_set_and_reset(demo_project, coder):
    document = Document.objects.get(pk=1)
    services.document_status_set(document=document, coder=coder, state="done")
    assert DocumentStatus.objects.get().state == "done"
    with pytest.raises(ValidationError):
        services.document_status_set(document=document, coder=coder, state="finished")
    services.document_status_set(document=document, coder=coder, state=None)
    assert not DocumentStatus.objects.exists()
