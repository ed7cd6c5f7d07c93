"""POST /api/v1/annotations/bulk/: many codings of one document, all or nothing."""

import pytest

from annotator.api.serializers import AnnotationOutput
from annotator.models import Annotation, Code, Codebook, Document
from annotator.services.workspace import selection_normalise

URL = "/api/v1/annotations/bulk/"


def _items(n, **extra):
    return [{"code": 1 + i % 5, "start_offset": i, "end_offset": i + 2, **extra} for i in range(n)]


def test_it_creates_every_item_and_returns_them_in_order(api_as, members):
    response = api_as("annotator").post(URL, {"document": 2, "items": _items(20)}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 20
    document = Document.objects.get(pk=2)
    assert [(row["start_offset"], row["end_offset"]) for row in body["annotations"]] == [
        selection_normalise(document=document, start=i, end=i + 2) for i in range(20)
    ]
    assert Annotation.objects.filter(coder=members["annotator"], document=2).count() == 20


def test_it_reuses_existing_codings_and_counts_only_new_ones(api_as, members):
    client = api_as("annotator")
    client.post(URL, {"document": 2, "items": _items(3)}, format="json")
    response = client.post(URL, {"document": 2, "items": _items(5)}, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 2
    assert Annotation.objects.count() == 5


@pytest.mark.parametrize(("role", "status"), [("manager", 201), ("curator", 201)])
def test_it_lets_every_member_bulk_code(api_as, role, status):
    response = api_as(role).post(URL, {"document": 2, "items": _items(2)}, format="json")
    assert response.status_code == status


def test_it_hides_documents_of_other_projects(api_as, members):
    response = api_as("outsider").post(URL, {"document": 2, "items": _items(2)}, format="json")
    assert response.status_code == 400
    assert response.json() == {"document": ["No such document."]}


def test_it_answers_401_to_anonymous(api_as, members):
    response = api_as("anonymous").post(URL, {"document": 2, "items": _items(2)}, format="json")
    assert response.status_code == 401


def test_it_refuses_the_whole_batch_with_errors_indexed_by_item(api_as, members):
    items = _items(4)
    items[1]["end_offset"] = 10**6
    items[3]["start_offset"] = items[3]["end_offset"]
    response = api_as("annotator").post(URL, {"document": 2, "items": items}, format="json")
    assert response.status_code == 400
    errors = response.json()["items"]
    assert set(errors) == {"1", "3"}
    assert "end_offset" in errors["1"] and "end_offset" in errors["3"]
    assert Annotation.objects.count() == 0


def test_it_refuses_codes_of_another_codebook_by_item(api_as, members):
    other = Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="x")
    items = _items(3)
    items[2]["code"] = other.pk
    response = api_as("annotator").post(URL, {"document": 2, "items": items}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "items": {"2": {"code": ["This code does not belong to the project's codebook."]}}
    }
    assert Annotation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"document": 2, "items": []}, "items"),
        ({"document": 2}, "items"),
        ({"document": 2, "items": [{"code": 1, "start_offset": 0}]}, "items"),
        (
            {"document": 2, "items": [{"code": 1, "start_offset": 0, "end_offset": 1, "x": 1}]},
            "items",
        ),
        ({"document": 2, "items": "all"}, "items"),
        ({"document": 2, "items": _items(1), "coder": 1}, "coder"),
    ],
)
def test_it_answers_400_for_malformed_batches(api_as, members, body, field):
    response = api_as("annotator").post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_answers_405_for_get(api_as, members):
    assert api_as("annotator").get(URL).status_code == 405


def test_it_shows_each_coding_as_the_output_serializer_does(api_as, members):
    items = _items(3, memo="m")
    body = api_as("annotator").post(URL, {"document": 2, "items": items}, format="json").json()
    assert body["annotations"] == [
        dict(AnnotationOutput(Annotation.objects.get(pk=row["id"])).data)
        for row in body["annotations"]
    ]
