"""GET/POST /api/v1/projects/<id>/documents/<id>/status/: your progress on a document."""

import pytest

from annotator.models import DocumentStatus

URL = "/api/v1/projects/1/documents/2/status/"


@pytest.mark.parametrize("role", ["manager", "curator", "annotator"])
def test_it_marks_done_and_reopens_for_the_requesting_coder(api_as, members, role):
    client = api_as(role)
    assert client.get(URL).json() == {"document": 2, "state": None}
    response = client.post(URL, {"state": "done"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"document": 2, "state": "done"}
    assert DocumentStatus.objects.get(coder=members[role], document=2).state == "done"
    response = client.post(URL, {"state": "in_progress"}, format="json")
    assert response.json() == {"document": 2, "state": "in_progress"}
    assert client.get(URL).json()["state"] == "in_progress"


def test_it_keeps_each_coders_status_apart(api_as, members):
    api_as("annotator").post(URL, {"state": "done"}, format="json")
    assert api_as("annotator2").get(URL).json()["state"] is None


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("anonymous", 401)])
def test_it_refuses_non_members(api_as, role, status):
    assert api_as(role).get(URL).status_code == status
    assert api_as(role).post(URL, {"state": "done"}, format="json").status_code == status
    assert not DocumentStatus.objects.exists()


def test_it_answers_404_for_a_document_of_another_project(api_as):
    assert api_as("annotator").get("/api/v1/projects/2/documents/2/status/").status_code == 404
    assert api_as("annotator").get("/api/v1/projects/1/documents/99/status/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "state"), ({"state": "finished"}, "state"), ({"state": "done", "by": 1}, "by")],
)
def test_it_answers_400_for_an_invalid_state(api_as, body, field):
    response = api_as("annotator").post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_it_answers_405_for_delete(api_as):
    assert api_as("annotator").delete(URL).status_code == 405
