"""Integrity lives in the database: these writes bypass the services on purpose."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from annotator.models import Annotation, Code, Document


@pytest.fixture
def doc_and_code(demo_project):
    return Document.objects.get(pk=1), Code.objects.get(name="Iran")


@pytest.mark.parametrize("start,end", [(5, 5), (9, 3), (-1, 4)])
def test_it_rejects_bad_offsets_in_the_database(doc_and_code, make_user, start, end):
    document, code = doc_and_code
    coder = make_user("c")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            document=document, coder=coder, code=code, start_offset=start, end_offset=end
        )
    assert not Annotation.objects.exists()


def test_it_rejects_a_duplicate_coding_in_the_database(doc_and_code, make_user):
    document, code = doc_and_code
    coder = make_user("c")
    fields = {
        "document": document,
        "coder": coder,
        "code": code,
        "start_offset": 0,
        "end_offset": 4,
    }
    Annotation.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(**fields)
    assert Annotation.objects.count() == 1


def test_it_requires_a_coder(doc_and_code):
    document, code = doc_and_code
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            document=document, coder_id=None, code=code, start_offset=0, end_offset=4
        )


def test_it_refuses_to_change_document_text_even_past_the_service(demo_project):
    document = Document.objects.get(pk=1)
    original = document.text
    document.text = original + " tampered"
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        document.save()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Document.objects.filter(pk=1).update(text="x")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Document.objects.filter(pk=1).update(length=1)
    assert Document.objects.get(pk=1).text == original


def test_it_allows_metadata_changes_through_a_plain_update(demo_project):
    Document.objects.filter(pk=1).update(title="A new title")
    assert Document.objects.get(pk=1).title == "A new title"


def test_it_rejects_a_duplicate_code_name_and_shortcut(demo_project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(codebook_id=1, name="Iran", shortcut="9")
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(codebook_id=1, name="Other", shortcut="3")
    # Blank shortcuts do not collide with each other.
    Code.objects.create(codebook_id=1, name="Other", shortcut="")
    Code.objects.create(codebook_id=1, name="Another", shortcut="")


def test_code_path_follows_the_hierarchy(demo_project):
    parent = Code.objects.create(codebook_id=1, name="Actors")
    child = Code.objects.create(codebook_id=1, name="Hezbollah", parent=parent)
    assert child.path == "Actors/Hezbollah"
