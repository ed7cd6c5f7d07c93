"""The team-setup API: the same services and rules as the pages."""

import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.models import Document, DocumentMemo, Invitation, Membership, Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from setup_files import make_docx, make_pdf  # noqa: E402

pytestmark = pytest.mark.django_db
ROLES = ["manager", "curator", "annotator", "outsider", "anonymous"]


def test_staff_create_projects_and_managers_update_them(api_as, members):
    members["manager"].is_staff = True
    members["manager"].save()
    client = api_as("manager")
    response = client.post(
        "/api/v1/projects/",
        {"name": "API project", "granularity": "word", "uses_assignments": False},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "manager" and body["granularity"] == "word"
    assert body["uses_assignments"] is False and body["document_count"] == 0
    project = Project.objects.get(pk=body["id"])
    assert project.codebook.name == "API project"
    response = client.patch(
        f"/api/v1/projects/{project.pk}/", {"blind_coding": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["blind_coding"] is False
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"name": " "}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = client.patch(f"/api/v1/projects/{project.pk}/", {"codebook": 1}, format="json")
    assert response.status_code == 400 and response.json() == {"codebook": ["Unknown field."]}


@pytest.mark.parametrize("role", ROLES)
def test_project_creation_needs_a_creator(api_as, members, role):
    response = api_as(role).post("/api/v1/projects/", {"name": "X"}, format="json")
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert not Project.objects.filter(name="X").exists()


def test_project_creation_refuses_a_codebook_the_creator_does_not_manage(api_as, members):
    from annotator.models import Codebook

    members["curator"].is_staff = True
    members["curator"].save()
    other = Codebook.objects.create(name="elsewhere")
    response = api_as("curator").post(
        "/api/v1/projects/", {"name": "X", "codebook": other.pk}, format="json"
    )
    assert response.status_code == 400 and "codebook" in response.json()
    assert not Project.objects.filter(name="X").exists()


def test_members_are_added_changed_and_removed(api_as, members, demo_project, make_user):
    make_user("dora", email="dora@example.org")
    client = api_as("manager")
    base = f"/api/v1/projects/{demo_project.pk}/members/"
    response = client.post(base, {"user": "dora@example.org", "role": "curator"}, format="json")
    assert response.status_code == 201 and response.json()["username"] == "dora"
    dora = response.json()["user"]
    assert (
        client.patch(f"{base}{dora}/", {"role": "manager"}, format="json").json()["role"]
        == "manager"
    )
    assert client.delete(f"{base}{dora}/").status_code == 204
    assert not Membership.objects.filter(project=demo_project, user_id=dora).exists()
    response = client.post(base, {"user": "ghost"}, format="json")
    assert response.status_code == 400 and "invite" in response.json()["user"][0]
    me = members["manager"].pk
    response = client.delete(f"{base}{me}/")
    assert response.status_code == 400 and "at least one manager" in response.json()["user"][0]
    response = client.patch(f"{base}{me}/", {"role": "annotator"}, format="json")
    assert response.status_code == 400 and Membership.objects.get(user_id=me).role == "manager"


def test_invitations_are_created_listed_and_withdrawn(api_as, members, demo_project, client):
    api = api_as("manager")
    base = f"/api/v1/projects/{demo_project.pk}/invitations/"
    response = api.post(base, {"role": "curator"}, format="json")
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://testserver/invitations/")
    assert [i["role"] for i in api.get(base).json()] == ["curator"]
    assert "url" not in api.get(base).json()[0]
    invitation_id = response.json()["id"]
    assert api.delete(f"{base}{invitation_id}/").status_code == 204
    assert Invitation.objects.get().revoked_at is not None
    assert api.get(base).json() == []
    assert "withdrawn" in client.get(url.removeprefix("http://testserver")).content.decode()


def test_uploads_of_pdf_and_docx(api_as, demo_project, row_counts):
    api = api_as("manager")
    url = f"/api/v1/projects/{demo_project.pk}/documents/upload/"
    files = [
        SimpleUploadedFile("a.pdf", make_pdf([["PDF via API."]])),
        SimpleUploadedFile("b.docx", make_docx(["DOCX via API."])),
    ]
    response = api.post(url, {"files": files}, format="multipart")
    assert response.status_code == 201, response.json()
    assert [d["title"] for d in response.json()["documents"]] == ["a", "b"]
    assert Document.objects.get(title="b").original.filename == "b.docx"
    before = row_counts()
    bad = [SimpleUploadedFile("c.pdf", make_pdf([["ok"]], password="x"))]
    response = api.post(url, {"files": bad}, format="multipart")
    assert response.status_code == 400 and "encrypted" in str(response.json())
    assert row_counts() == before


def test_metadata_update_and_memos(api_as, members, demo_project):
    document = demo_project.documents.first()
    url = f"/api/v1/projects/{demo_project.pk}/documents/{document.pk}/"
    response = api_as("manager").patch(url, {"title": "T", "metadata": {"k": "v"}}, format="json")
    assert response.status_code == 200 and response.json()["metadata"] == {"k": "v"}
    response = api_as("manager").patch(url, {"text": "forged"}, format="json")
    assert response.status_code == 400
    assert api_as("curator").patch(url, {"title": "X"}, format="json").status_code == 403
    response = api_as("manager").patch(url, {"metadata": {"k": [1]}}, format="json")
    assert response.status_code == 400 and "metadata" in response.json()
    document.refresh_from_db()
    assert document.title == "T"
    memos = url + "memos/"
    assert api_as("annotator").put(memos, {"text": "mine"}, format="json").status_code == 200
    assert api_as("annotator2").put(memos, {"text": "theirs"}, format="json").status_code == 200
    assert [m["text"] for m in api_as("annotator").get(memos).json()] == ["mine"]
    assert len(api_as("curator").get(memos).json()) == 2
    assert api_as("annotator").put(memos, {"text": ""}, format="json").status_code == 204
    assert DocumentMemo.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_every_setup_endpoint_by_role_and_forged_requests_change_nothing(
    api_as, members, demo_project, role
):
    p = demo_project.pk
    document = demo_project.documents.first()
    target = members["annotator2"].pk
    invitation = Invitation.objects.create(
        project=demo_project, token_sha256="e" * 64, expires_at="2999-01-01T00:00Z"
    )
    calls = [
        ("patch", f"/api/v1/projects/{p}/", {"name": "Forged"}, "manager"),
        (
            "post",
            f"/api/v1/projects/{p}/members/",
            {"user": "outsider", "role": "manager"},
            "manager",
        ),
        ("patch", f"/api/v1/projects/{p}/members/{target}/", {"role": "manager"}, "manager"),
        ("delete", f"/api/v1/projects/{p}/members/{target}/", None, "manager"),
        ("get", f"/api/v1/projects/{p}/invitations/", None, "manager"),
        ("post", f"/api/v1/projects/{p}/invitations/", {"role": "manager"}, "manager"),
        ("delete", f"/api/v1/projects/{p}/invitations/{invitation.pk}/", None, "manager"),
        ("patch", f"/api/v1/projects/{p}/documents/{document.pk}/", {"title": "Forged"}, "manager"),
        ("get", f"/api/v1/projects/{p}/documents/{document.pk}/memos/", None, "annotator"),
        ("put", f"/api/v1/projects/{p}/documents/{document.pk}/memos/", {"text": "m"}, "annotator"),
    ]
    rank = {"annotator": 1, "curator": 2, "manager": 3}
    client = api_as(role)

    def state():
        project = Project.objects.get(pk=p)
        return (
            project.name,
            sorted(Membership.objects.filter(project=project).values_list("user_id", "role")),
            list(Invitation.objects.values_list("id", "revoked_at")),
            Document.objects.get(pk=document.pk).title,
        )

    for method, url, body, minimum in calls:
        before = state()
        response = getattr(client, method)(url, body, format="json")
        if role == "anonymous":
            expected = 401
        elif role == "outsider":
            expected = 404
        elif rank[role] < rank[minimum]:
            expected = 403
        else:
            assert response.status_code < 300, (method, url, response.status_code)
            continue
        assert response.status_code == expected, (method, url, response.status_code)
        assert state() == before, (method, url)
    upload = client.post(
        f"/api/v1/projects/{p}/documents/upload/",
        {"files": [SimpleUploadedFile("x.txt", b"Forged text.")]},
        format="multipart",
    )
    expected = {"anonymous": 401, "outsider": 404, "manager": 201}.get(role, 403)
    assert upload.status_code == expected
    assert Document.objects.filter(text="Forged text.").exists() == (role == "manager")
