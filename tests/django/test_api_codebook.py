"""The codebook of a project: read by members, codes written by managers."""

import pytest

from annotator.models import Code, Codebook

CODES = "/api/v1/projects/1/codebook/codes/"

ROLE_MATRIX_READ = [
    ("manager", 200),
    ("curator", 200),
    ("annotator", 200),
    ("outsider", 404),
    ("anonymous", 401),
]
ROLE_MATRIX_WRITE = [
    ("manager", None),
    ("curator", 403),
    ("annotator", 403),
    ("outsider", 404),
    ("anonymous", 401),
]


@pytest.mark.parametrize(("role", "status"), ROLE_MATRIX_READ)
def test_it_shows_the_codebook_with_its_codes_in_order(api_as, role, status):
    response = api_as(role).get("/api/v1/projects/1/codebook/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["name"] == "Israel–Russia relations"
        assert [c["shortcut"] for c in body["codes"]] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(("role", "status"), ROLE_MATRIX_READ)
def test_it_lists_and_shows_codes(api_as, role, status):
    client = api_as(role)
    assert client.get(CODES).status_code == status
    response = client.get(CODES + "3/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Iran"


def test_it_hides_codes_of_other_codebooks(api_as):
    other = Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="x")
    assert api_as("manager").get(f"{CODES}{other.pk}/").status_code == 404
    assert api_as("manager").patch(f"{CODES}{other.pk}/", {}, format="json").status_code == 404


@pytest.mark.parametrize(("role", "status"), ROLE_MATRIX_WRITE)
def test_it_lets_only_managers_add_codes(api_as, role, status):
    body = {"name": "economy", "color": "#123456", "shortcut": "e", "parent": 5}
    response = api_as(role).post(CODES, body, format="json")
    assert response.status_code == (status or 201)
    assert Code.objects.filter(name="economy").exists() == (status is None)
    if status is None:
        assert response.json()["parent"] == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Iran"}, "__all__"),
        ({"name": "new", "shortcut": "1"}, "__all__"),
        ({"name": "new", "color": "red"}, "color"),
        ({"name": "new", "shortcut": "!"}, "shortcut"),
        ({"name": "new", "parent": 999}, "parent"),
        ({"name": "new", "colour": "#000000"}, "colour"),
        ({"color": "#000000"}, "name"),
    ],
)
def test_it_refuses_invalid_codes_with_field_messages(api_as, body, field):
    response = api_as("manager").post(CODES, body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert (field if field != "__all__" else "non_field_errors") in errors
    assert Code.objects.count() == 5


def test_it_refuses_a_parent_from_another_codebook(api_as):
    other = Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="x")
    response = api_as("manager").post(CODES, {"name": "n", "parent": other.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["No such code in this codebook."]}


@pytest.mark.parametrize(("role", "status"), ROLE_MATRIX_WRITE)
def test_it_lets_only_managers_change_codes(api_as, role, status):
    response = api_as(role).patch(CODES + "5/", {"definition": "Money."}, format="json")
    assert response.status_code == (status or 200)
    assert (Code.objects.get(pk=5).definition == "Money.") == (status is None)


def test_it_changes_only_the_fields_sent(api_as):
    response = api_as("manager").patch(CODES + "5/", {"is_active": False}, format="json")
    assert response.status_code == 200
    code = Code.objects.get(pk=5)
    assert (code.is_active, code.name, code.shortcut) == (False, "trade", "5")


def test_it_refuses_a_cycle_in_the_hierarchy(api_as):
    client = api_as("manager")
    assert client.patch(CODES + "2/", {"parent": 1}, format="json").status_code == 200
    response = client.patch(CODES + "1/", {"parent": 2}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "parent": ["A code cannot sit under itself or one of its sub-codes."]
    }
    assert client.patch(CODES + "1/", {"parent": 1}, format="json").status_code == 400


def test_it_refuses_a_rename_onto_an_existing_name(api_as):
    response = api_as("manager").patch(CODES + "5/", {"name": "Iran"}, format="json")
    assert response.status_code == 400
    assert Code.objects.get(pk=5).name == "trade"


def test_it_deletes_a_code_without_codings(api_as):
    # Deleting arrived with the codebook editor (tests/django/test_codebook_api.py).
    assert api_as("manager").delete(CODES + "5/").status_code == 204
    assert api_as("manager").put(CODES + "4/", {}, format="json").status_code == 405
