"""services.annotation_bulk_create: one transaction, the same checks as annotation_create."""

import pytest
from django.core.exceptions import ValidationError

from annotator import services
from annotator.models import Annotation, Code, Codebook, Document, DocumentStatus
from annotator.services.workspace import selection_normalise


@pytest.fixture
def coder(make_user):
    return make_user("coder")


@pytest.fixture
def codes(demo_project):
    return {code.pk: code for code in Code.objects.filter(codebook=demo_project.codebook)}


def _items(codes, n):
    return [
        {"code": codes[1 + i % 5], "start_offset": i, "end_offset": i + 4, "memo": f"m{i}"}
        for i in range(n)
    ]


def test_it_creates_all_items_in_order_and_marks_the_document_in_progress(codes, coder):
    document = Document.objects.get(pk=3)
    annotations, created = services.annotation_bulk_create(
        document=document, coder=coder, items=_items(codes, 50)
    )
    assert created == 50
    # In item order, each stored as its normalised selection (trimmed of whitespace).
    assert [(a.start_offset, a.end_offset) for a in annotations] == [
        selection_normalise(document=document, start=i, end=i + 4) for i in range(50)
    ]
    assert annotations[7].memo == "m7" and annotations[7].coder == coder
    assert Annotation.objects.filter(document=document, coder=coder).count() == 50
    assert DocumentStatus.objects.get(document=document, coder=coder).state == "in_progress"


def test_it_reuses_existing_rows_and_duplicates_within_the_batch(codes, coder):
    document = Document.objects.get(pk=3)
    first, _ = services.annotation_create(
        document=document, coder=coder, code=codes[1], start_offset=0, end_offset=4
    )
    items = _items(codes, 3) + _items(codes, 3)
    annotations, created = services.annotation_bulk_create(
        document=document, coder=coder, items=items
    )
    assert created == 2
    assert annotations[0].pk == annotations[3].pk == first.pk
    assert Annotation.objects.count() == 3


def test_it_is_all_or_nothing_with_errors_keyed_by_item(codes, coder):
    document = Document.objects.get(pk=3)
    items = _items(codes, 5)
    items[2]["end_offset"] = document.length + 1
    items[4]["start_offset"] = -1
    with pytest.raises(ValidationError) as caught:
        services.annotation_bulk_create(document=document, coder=coder, items=items)
    assert set(caught.value.message_dict) == {"items.2.end_offset", "items.4.start_offset"}
    assert Annotation.objects.count() == 0
    assert not DocumentStatus.objects.exists()


def test_it_refuses_a_code_of_another_codebook(codes, coder):
    other = Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="x")
    items = _items(codes, 2)
    items[1]["code"] = other
    with pytest.raises(ValidationError) as caught:
        services.annotation_bulk_create(
            document=Document.objects.get(pk=3), coder=coder, items=items
        )
    assert caught.value.message_dict == {
        "items.1.code": ["This code does not belong to the project's codebook."]
    }


def test_it_refuses_unknown_and_missing_fields_and_non_text_memos(codes, coder):
    items = [
        {"code": codes[1], "start_offset": 0, "end_offset": 2, "colour": "red"},
        {"code": codes[1], "start_offset": 0},
        {"code": codes[1], "start_offset": 0, "end_offset": 2, "memo": 3},
        "not an item",
    ]
    with pytest.raises(ValidationError) as caught:
        services.annotation_bulk_create(
            document=Document.objects.get(pk=3), coder=coder, items=items
        )
    assert set(caught.value.message_dict) == {
        "items.0.colour",
        "items.1.end_offset",
        "items.2.memo",
        "items.3",
    }
    assert Annotation.objects.count() == 0


def test_it_accepts_an_empty_batch(codes, coder):
    assert services.annotation_bulk_create(
        document=Document.objects.get(pk=3), coder=coder, items=[]
    ) == ([], 0)
