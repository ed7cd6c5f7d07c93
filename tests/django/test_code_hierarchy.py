"""The code hierarchy: a parent from the same codebook, no loops — in the admin (code page and
the codebook page's codes), in the API, and in the database for whatever bypasses them."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from annotator.models import Code, Codebook


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("staff", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def other_code(demo_project) -> Code:
    return Code.objects.create(codebook=Codebook.objects.create(name="Other"), name="elsewhere")


def form_data(response) -> dict:
    """The POST body the admin page would send unchanged: every field's current value."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (False, None):
                data[form.add_prefix(name)] = value
    return data


def hierarchy() -> list:
    return list(Code.objects.order_by("pk").values_list("pk", "codebook_id", "parent_id"))


def post_code(staff_client, pk: int, **changes):
    url = reverse("admin:annotator_code_change", args=[pk])
    data = form_data(staff_client.get(url)) | changes
    return staff_client.post(url, data)


def test_it_shows_a_cross_codebook_parent_as_a_code_form_error(staff_client, other_code):
    before = hierarchy()
    response = post_code(staff_client, 3, parent=other_code.pk)
    assert response.status_code == 200
    # The menu offers only the codebook's other codes, so a forged id is not a valid choice.
    assert response.context["adminform"].form.errors["parent"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert hierarchy() == before


def test_it_shows_a_loop_as_a_code_form_error(staff_client, demo_project):
    Code.objects.filter(pk=4).update(parent=3)
    Code.objects.filter(pk=5).update(parent=4)
    before = hierarchy()
    response = post_code(staff_client, 3, parent=5)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "A code cannot sit under itself or one of its sub-codes."
    ]
    assert hierarchy() == before


def test_the_code_page_offers_only_the_codebooks_other_codes_as_parents(staff_client, other_code):
    page = staff_client.get(reverse("admin:annotator_code_change", args=[3]))
    field = page.context["adminform"].form.fields["parent"]
    assert [label for _, label in field.choices][1:] == [
        f"{name} (Israel–Russia relations)" for name in ("cooperation", "tension", "Syria", "trade")
    ]


def test_it_refuses_a_cross_codebook_parent_when_adding_a_code(staff_client, other_code):
    url = reverse("admin:annotator_code_add")
    data = form_data(staff_client.get(url)) | {
        "codebook": 1,
        "name": "stray",
        "parent": other_code.pk,
    }
    before = hierarchy()
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "The parent must be a code of the same codebook."
    ]
    assert hierarchy() == before


def test_it_saves_a_valid_parent_from_the_code_page(staff_client, demo_project):
    response = post_code(staff_client, 3, parent=2)
    assert response.status_code == 302
    assert Code.objects.get(pk=3).parent_id == 2


def test_it_keeps_a_code_in_its_codebook_on_the_code_page(staff_client, other_code):
    response = post_code(staff_client, 3, codebook=other_code.codebook_id)
    assert response.status_code == 302
    assert Code.objects.get(pk=3).codebook_id == 1


def inline_index(response, pk: int) -> int:
    formset = response.context["inline_admin_formsets"][0].formset
    return next(i for i, form in enumerate(formset.forms) if form.instance.pk == pk)


def post_codebook(staff_client, parents: dict):
    url = reverse("admin:annotator_codebook_change", args=[1])
    page = staff_client.get(url)
    data = form_data(page)
    for pk, parent in parents.items():
        data[f"codes-{inline_index(page, pk)}-parent"] = "" if parent is None else parent
    return staff_client.post(url, data)


def inline_errors(response) -> list:
    return response.context["inline_admin_formsets"][0].formset.errors


def test_it_refuses_a_cross_codebook_parent_in_the_codebook_inline(staff_client, other_code):
    before = hierarchy()
    response = post_codebook(staff_client, {3: other_code.pk})
    assert response.status_code == 200
    assert any("parent" in errors for errors in inline_errors(response))
    assert hierarchy() == before


def test_it_refuses_a_loop_made_of_two_rows_of_the_codebook_inline(staff_client, demo_project):
    before = hierarchy()
    response = post_codebook(staff_client, {3: 4, 4: 3})
    assert response.status_code == 200
    assert any(
        errors.get("parent") == ["A code cannot sit under itself or one of its sub-codes."]
        for errors in inline_errors(response)
    )
    assert hierarchy() == before


def test_it_swaps_a_parent_and_its_child_in_one_codebook_inline_save(staff_client, demo_project):
    Code.objects.filter(pk=4).update(parent=3)
    response = post_codebook(staff_client, {3: 4, 4: None})
    assert response.status_code == 302
    assert Code.objects.get(pk=3).parent_id == 4
    assert Code.objects.get(pk=4).parent_id is None


def test_the_codebook_inline_offers_only_its_own_codes_as_parents(staff_client, other_code):
    page = staff_client.get(reverse("admin:annotator_codebook_change", args=[1]))
    form = page.context["inline_admin_formsets"][0].formset.forms[0]
    assert set(form.fields["parent"].queryset.values_list("pk", flat=True)) == {1, 2, 3, 4, 5}


def refused():
    return pytest.raises(DatabaseError, match="same codebook")


def test_the_database_refuses_a_raw_update_to_a_cross_codebook_parent(other_code):
    with refused(), transaction.atomic():
        Code.objects.filter(pk=3).update(parent=other_code.pk)
    assert Code.objects.get(pk=3).parent_id is None


def test_the_database_refuses_a_raw_insert_under_another_codebooks_code(other_code):
    with refused(), transaction.atomic():
        Code.objects.create(codebook_id=1, name="stray", parent=other_code)
    assert not Code.objects.filter(name="stray").exists()


def test_the_database_refuses_moving_a_parent_away_from_its_children(other_code):
    Code.objects.filter(pk=4).update(parent=3)
    with refused(), transaction.atomic():
        Code.objects.filter(pk=3).update(codebook=other_code.codebook_id)
    assert Code.objects.get(pk=3).codebook_id == 1


def test_the_database_accepts_a_parent_in_the_same_codebook(demo_project):
    Code.objects.filter(pk=4).update(parent=3)
    child = Code.objects.create(codebook_id=1, name="sub", parent_id=4)
    assert child.path == "Iran/Syria/sub"


CODES = "/api/v1/projects/1/codebook/codes/"


def test_the_api_still_sets_and_refuses_parents(api_as, other_code):
    manager = api_as("manager")
    assert manager.patch(f"{CODES}4/", {"parent": 3}, format="json").status_code == 200
    assert Code.objects.get(pk=4).parent_id == 3
    response = manager.patch(f"{CODES}3/", {"parent": 4}, format="json")
    assert response.status_code == 400
    response = manager.patch(f"{CODES}3/", {"parent": other_code.pk}, format="json")
    assert response.status_code == 400
    assert Code.objects.get(pk=3).parent_id is None


def test_the_hierarchy_holds_exactly_max_depth_levels(demo_project):
    from django.core.exceptions import ValidationError

    from annotator.services.codes import MAX_DEPTH, code_save

    codebook = demo_project.codebook
    parent = None
    for level in range(1, MAX_DEPTH + 1):  # levels 1..MAX_DEPTH are allowed
        parent = code_save(
            code=Code(codebook=codebook), data={"name": f"L{level}", "parent": parent}
        )
    with pytest.raises(ValidationError, match=f"at most {MAX_DEPTH} levels"):
        code_save(code=Code(codebook=codebook), data={"name": "too deep", "parent": parent})
    assert not Code.objects.filter(name="too deep").exists()
