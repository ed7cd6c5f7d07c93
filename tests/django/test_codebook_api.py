"""The codebook editor in the API: access for every role, the operations, forged requests."""

import io

import pytest

from annotator.models import Annotation, Code, Codebook, CodebookChange, CodebookVersion, Document
from annotator.services import annotation_create
from tests.conftest import ROLES

BOOK = "/api/v1/projects/1/codebook/"
CODES = BOOK + "codes/"
QDC = (
    b'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="5215CC69-B628-4E02-AFB9-9BEEAEE55811" name="imported" isCodable="true"/>'
    b"</Codes></CodeBook>"
)


def _qdc():
    upload = io.BytesIO(QDC)
    upload.name = "book.qdc"
    return upload


def _calls():
    iran = Code.objects.get(name="Iran").pk
    return [
        ("delete", f"{CODES}{iran}/", None, "json"),
        ("post", f"{CODES}{iran}/move/", {"direction": "down"}, "json"),
        ("post", f"{CODES}{iran}/split/", {"name": "x", "annotations": [1]}, "json"),
        ("post", BOOK + "merge/", {"source": iran, "target": iran + 1}, "json"),
        ("post", BOOK + "versions/", {"note": "v"}, "json"),
        ("get", BOOK + "draft/", None, None),
        ("get", BOOK + "changes/", None, None),
        ("post", BOOK + "draft/import/", {"file": _qdc()}, "multipart"),
        ("post", CODES, {"name": "new"}, "json"),
        ("patch", f"{CODES}{iran}/", {"name": "Persia"}, "json"),
    ]


MANAGER_ONLY = {"curator": 403, "annotator": 403, "outsider": 404, "anonymous": 401}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "manager"])
def test_every_write_and_the_audit_trail_are_for_managers_only(api_as, role):
    client = api_as(role)
    before = list(Code.objects.values_list("pk", "name", "order", "parent_id"))
    for method, url, data, fmt in _calls():
        response = getattr(client, method)(url, data, format=fmt)
        assert response.status_code == MANAGER_ONLY[role], (role, method, url)
    assert list(Code.objects.values_list("pk", "name", "order", "parent_id")) == before
    assert not CodebookChange.objects.exists() and not CodebookVersion.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_published_versions_are_read_by_every_member(api_as, members, role):
    from annotator.services import codebooks

    codebooks.codebook_publish(
        codebook=Codebook.objects.get(pk=1), user=members["manager"], note="first"
    )
    expected = {"outsider": 404, "anonymous": 401}.get(role, 200)
    client = api_as(role)
    assert client.get(BOOK + "versions/").status_code == expected
    response = client.get(BOOK + "versions/1/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["number"] == 1 and len(response.json()["codes"]) == 5
        assert client.get(BOOK + "versions/2/").status_code == 404


def test_the_manager_edits_merges_splits_and_publishes(api_as, members):
    client = api_as("manager")
    iran, syria = Code.objects.get(name="Iran"), Code.objects.get(name="Syria")
    response = client.patch(f"{CODES}{iran.pk}/", {"name": "Persia"}, format="json")
    assert response.status_code == 200
    assert "added Persia" in client.get(BOOK + "draft/").json()["changes"]
    a, _ = annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=iran,
        start_offset=0,
        end_offset=4,
    )
    response = client.post(
        f"{CODES}{iran.pk}/split/", {"name": "nuclear", "annotations": [a.pk]}, format="json"
    )
    assert response.status_code == 201 and response.json()["moved"] == 1
    new = response.json()["code"]["id"]
    response = client.post(BOOK + "merge/", {"source": new, "target": syria.pk}, format="json")
    assert response.status_code == 200 and response.json()["moved"] == 1
    assert Annotation.objects.get(pk=a.pk).code_id == syria.pk
    response = client.post(f"{CODES}{iran.pk}/move/", {"direction": "sideways"}, format="json")
    assert response.status_code == 400 and "direction" in response.json()
    response = client.post(BOOK + "versions/", {"note": "first"}, format="json")
    assert response.status_code == 201 and response.json()["number"] == 1
    response = client.post(BOOK + "versions/", {"note": "again"}, format="json")
    assert response.status_code == 400 and "Nothing to publish" in str(response.json())
    changes = client.get(BOOK + "changes/").json()["results"]
    assert [c["action"] for c in changes][:3] == ["merge", "split", "add"]
    assert {c["version"] for c in changes} == {1}


def test_forged_codes_of_another_codebook_change_nothing(api_as):
    other = Codebook.objects.create(name="other")
    foreign = Code.objects.create(codebook=other, name="foreign")
    client = api_as("manager")
    iran = Code.objects.get(name="Iran")
    assert client.delete(f"{CODES}{foreign.pk}/").status_code == 404
    response = client.post(
        BOOK + "merge/", {"source": iran.pk, "target": foreign.pk}, format="json"
    )
    assert response.status_code == 404
    response = client.patch(f"{CODES}{iran.pk}/", {"parent": foreign.pk}, format="json")
    assert response.status_code == 400
    assert Code.objects.filter(pk__in=[iran.pk, foreign.pk]).count() == 2
    assert not CodebookChange.objects.exists()


def test_a_code_with_codings_cannot_be_deleted(api_as, members):
    iran = Code.objects.get(name="Iran")
    annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=iran,
        start_offset=0,
        end_offset=4,
    )
    response = api_as("manager").delete(f"{CODES}{iran.pk}/")
    assert response.status_code == 400 and "deactivate" in str(response.json())
    assert Code.objects.filter(pk=iran.pk).exists()


def test_import_into_the_draft_with_a_preview(api_as):
    client = api_as("manager")
    before = Code.objects.count()
    response = client.post(BOOK + "draft/import/", {"file": _qdc(), "preview": "true"})
    assert response.status_code == 200 and "added imported" in response.json()["changes"]
    assert Code.objects.count() == before
    response = client.post(BOOK + "draft/import/", {"file": _qdc()})
    assert response.status_code == 201 and Code.objects.count() == before + 1
    bad = io.BytesIO(b"<nope")
    bad.name = "bad.qdc"
    assert client.post(BOOK + "draft/import/", {"file": bad}).status_code == 400
    assert Code.objects.count() == before + 1


def test_the_older_codebook_import_joins_the_audit_trail(api_as, members):
    response = api_as("manager").post(BOOK + "import/", {"file": _qdc()})
    assert response.status_code == 201
    change = CodebookChange.objects.get()
    assert (change.action, change.code_path, change.user) == (
        "import",
        "imported",
        members["manager"],
    )
    assert change.version is None  # in the draft until published


def test_split_refuses_codings_of_another_project_sharing_the_codebook(api_as, members):
    from annotator.models import Project
    from annotator.services import document_create

    other = Project.objects.create(name="other", codebook_id=1)
    document = document_create(project=other, text="Iran elsewhere", title="theirs")
    iran = Code.objects.get(name="Iran")
    theirs, _ = annotation_create(
        document=document, coder=members["outsider"], code=iran, start_offset=0, end_offset=4
    )
    response = api_as("manager").post(
        f"{CODES}{iran.pk}/split/", {"name": "stolen", "annotations": [theirs.pk]}, format="json"
    )
    assert response.status_code == 400 and "not codings of this code" in str(response.json())
    assert Annotation.objects.get(pk=theirs.pk).code == iran
