"""GET /api/v1/projects/, /api/v1/projects/<id>/ and its members."""

import pytest

from annotator.models import Codebook, Membership, Project


@pytest.mark.parametrize("role", ["manager", "curator", "annotator"])
def test_it_lists_my_projects_with_my_role(api_as, role):
    response = api_as(role).get("/api/v1/projects/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    project = body["results"][0]
    assert (project["id"], project["role"], project["document_count"]) == (1, role, 5)
    assert project["blind_coding"] is True


def test_it_lists_no_project_to_an_outsider(api_as):
    assert api_as("outsider").get("/api/v1/projects/").json()["results"] == []


def test_it_does_not_list_projects_i_am_not_in(api_as, members, demo_project):
    Project.objects.create(name="Other", codebook=Codebook.objects.create(name="o"))
    assert [p["name"] for p in api_as("manager").get("/api/v1/projects/").json()["results"]] == [
        demo_project.name
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_it_shows_a_project_to_its_members_only(api_as, role, status):
    response = api_as(role).get("/api/v1/projects/1/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["role"] == role


def test_it_answers_404_for_a_missing_project(api_as):
    assert api_as("manager").get("/api/v1/projects/999/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_it_lists_members_with_roles_to_members_only(api_as, members, role, status):
    response = api_as(role).get("/api/v1/projects/1/members/")
    assert response.status_code == status
    if status == 200:
        assert {(m["username"], m["role"]) for m in response.json()} == {
            (m.user.username, m.role) for m in Membership.objects.filter(project=1)
        }


def test_it_refuses_writes_to_projects_with_405(api_as):
    # Creating a project (POST) is for ANNOTATOR_PROJECT_CREATORS: see test_api_setup.py.
    assert api_as("manager").post("/api/v1/projects/", {}, format="json").status_code == 403
    assert api_as("manager").delete("/api/v1/projects/1/").status_code == 405
