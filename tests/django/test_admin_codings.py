"""The Annotation admin stores codings through the coding service, with its rules."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, Codebook, Document, Project
from annotator.spans import WHITESPACE_ONLY

TITLE = "Israel, Russia... Are They Friends or Enemies?"
ADD = "admin:annotator_annotation_add"


@pytest.fixture
def staff(client, make_user):
    user = make_user("staff", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title=TITLE)


def _add(client, doc, **fields):
    data = {
        "document": doc.pk,
        "coder": client.user.pk,
        "code": 1,
        "start_offset": 6,
        "end_offset": 12,
        "memo": "",
        **fields,
    }
    return client.post(reverse(ADD), data)


def _errors(response) -> dict:
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def test_it_stores_a_trimmed_coding(staff, doc):
    start = doc.text.index(" Russia")
    response = _add(staff, doc, start_offset=start, end_offset=start + 5)
    assert response.status_code == 302
    coding = Annotation.objects.get()
    assert doc.text[coding.start_offset : coding.end_offset] == "Russ"


def test_it_snaps_to_words_with_word_granularity(staff, doc):
    Project.objects.filter(pk=doc.project_id).update(granularity=Project.Granularity.WORD)
    start = doc.text.index("Russia")
    assert _add(staff, doc, start_offset=start + 1, end_offset=start + 3).status_code == 302
    coding = Annotation.objects.get()
    assert doc.text[coding.start_offset : coding.end_offset] == "Russia"


def test_it_refuses_an_end_past_the_text(staff, doc):
    response = _add(staff, doc, end_offset=doc.length + 1)
    assert response.status_code == 200
    assert _errors(response) == {
        "end_offset": [f"Must not pass the end of the text ({doc.length})."]
    }
    assert Annotation.objects.count() == 0


def test_it_refuses_whitespace_only(staff, doc):
    space = doc.text.index(" Russia")
    response = _add(staff, doc, start_offset=space, end_offset=space + 1)
    assert _errors(response) == {"end_offset": [WHITESPACE_ONLY]}
    assert Annotation.objects.count() == 0


def test_it_refuses_a_code_of_another_codebook(staff, doc):
    other = Code.objects.create(codebook=Codebook.objects.create(name="other"), name="x")
    response = _add(staff, doc, code=other.pk)
    assert _errors(response) == {"code": ["This code does not belong to the project's codebook."]}
    assert Annotation.objects.count() == 0


def test_it_refuses_an_inactive_code(staff, doc):
    Code.objects.filter(pk=1).update(is_active=False)
    response = _add(staff, doc)
    assert _errors(response) == {"code": ["This code is inactive."]}
    assert Annotation.objects.count() == 0


def test_it_refuses_a_memo_with_a_nul_character(staff, doc):
    response = _add(staff, doc, memo="a\x00b")
    assert response.status_code == 200
    assert list(_errors(response)) == ["memo"]
    assert Annotation.objects.count() == 0


def test_a_change_edits_only_the_memo_through_the_service(staff, doc):
    coding, _ = services.annotation_create(
        document=doc, coder=staff.user, code=Code.objects.get(pk=1), start_offset=6, end_offset=12
    )
    url = reverse("admin:annotator_annotation_change", args=[coding.pk])
    page = staff.get(url).content.decode()
    assert 'name="start_offset"' not in page and 'name="memo"' in page
    response = staff.post(url, {"memo": "x" * 10_001, "start_offset": 0, "end_offset": 99})
    assert response.status_code == 200 and list(_errors(response)) == ["memo"]
    response = staff.post(url, {"memo": "checked", "start_offset": 0, "end_offset": 99})
    assert response.status_code == 302
    coding.refresh_from_db()
    assert (coding.memo, coding.start_offset, coding.end_offset) == ("checked", 6, 12)
