"""GET/PATCH/DELETE /api/v1/annotations/<id>/: read what you may see, change only your own."""

import pytest

from annotator import services
from annotator.models import Annotation, Code, Document, Project


@pytest.fixture
def coding(members):
    """A coding by the annotator."""
    annotation, _ = services.annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=Code.objects.get(pk=1),
        start_offset=0,
        end_offset=5,
    )
    return annotation


def url(annotation):
    return f"/api/v1/annotations/{annotation.pk}/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 200),
        ("curator", 200),
        ("annotator", 200),
        ("annotator2", 404),  # blind coding: another coder's coding does not exist for them
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_it_shows_a_coding_to_whom_may_see_it(api_as, coding, role, status):
    response = api_as(role).get(url(coding))
    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == coding.pk


def test_it_shows_another_coders_coding_when_coding_is_not_blind(api_as, coding, demo_project):
    Project.objects.filter(pk=demo_project.pk).update(blind_coding=False)
    assert api_as("annotator2").get(url(coding)).status_code == 200


def test_it_answers_404_for_a_missing_coding(api_as, members):
    assert api_as("manager").get("/api/v1/annotations/999/").status_code == 404


def test_it_changes_the_memo_of_your_own_coding(api_as, coding):
    response = api_as("annotator").patch(url(coding), {"memo": "why"}, format="json")
    assert response.status_code == 200
    assert response.json()["memo"] == "why"
    coding.refresh_from_db()
    assert coding.memo == "why"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 403),
        ("curator", 403),
        ("annotator2", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_it_refuses_to_change_someone_elses_memo(api_as, coding, role, status):
    response = api_as(role).patch(url(coding), {"memo": "mine"}, format="json")
    assert response.status_code == status
    coding.refresh_from_db()
    assert coding.memo == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "memo"),
        ({"memo": 5 * "x" * 2001}, "memo"),
        ({"memo": "x", "start_offset": 1}, "start_offset"),
    ],
)
def test_it_answers_400_for_an_invalid_memo_update(api_as, coding, body, field):
    response = api_as("annotator").patch(url(coding), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_deletes_your_own_coding(api_as, coding):
    assert api_as("annotator").delete(url(coding)).status_code == 204
    assert not Annotation.objects.filter(pk=coding.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 403),
        ("curator", 403),
        ("annotator2", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_it_refuses_to_delete_someone_elses_coding(api_as, coding, role, status):
    assert api_as(role).delete(url(coding)).status_code == status
    assert Annotation.objects.filter(pk=coding.pk).exists()


def test_it_answers_405_for_put(api_as, coding):
    assert api_as("annotator").put(url(coding), {"memo": "x"}, format="json").status_code == 405
