import pytest
from django.urls import reverse

from annotator.models import Document


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("staff", is_staff=True, is_superuser=True))
    return client


def test_codebook_admin_shows_codes_inline(staff_client, demo_project):
    response = staff_client.get(reverse("admin:annotator_codebook_change", args=[1]))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ["cooperation", "tension", "Iran", "Syria", "trade"]:
        assert name in body


def test_code_changelist_shows_swatches_and_searches(staff_client, demo_project):
    response = staff_client.get(reverse("admin:annotator_code_changelist"), {"q": "Soleimani"})
    assert response.status_code == 200
    assert "data:image/svg+xml" in response.content.decode()
    assert response.context["cl"].result_count == 1


def test_document_admin_shows_text_read_only(staff_client, demo_project):
    url = reverse("admin:annotator_document_change", args=[1])
    response = staff_client.get(url)
    assert response.status_code == 200
    assert 'name="text"' not in response.content.decode()
    original = Document.objects.get(pk=1).text
    staff_client.post(
        url, {"project": 1, "title": "Edited", "text": "changed", "metadata": "{}", "order": 1}
    )
    document = Document.objects.get(pk=1)
    assert document.text == original


def test_document_admin_creates_through_the_service(staff_client, demo_project):
    url = reverse("admin:annotator_document_add")
    response = staff_client.post(
        url, {"project": 1, "title": "New", "text": "Cafe\u0301 text", "metadata": "{}", "order": 9}
    )
    assert response.status_code == 302
    created = Document.objects.get(title="New")
    assert created.text == "Café text" and created.length == 9


def test_project_admin_has_inline_memberships(staff_client, demo_project):
    response = staff_client.get(reverse("admin:annotator_project_change", args=[1]))
    assert response.status_code == 200
    assert "memberships-TOTAL_FORMS" in response.content.decode()


@pytest.mark.parametrize("name", ["admin:index", "admin:annotator_codebook_changelist"])
def test_admin_is_refused_to_non_staff(client, make_user, name):
    client.force_login(make_user("plain"))
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "model",
    [
        "project",
        "membership",
        "codebook",
        "code",
        "document",
        "annotation",
        "documentstatus",
        "assignment",
        "goldprovenance",
        "curation",
        "curationnote",
    ],
)
def test_every_model_has_an_admin_for_staff(staff_client, demo_project, model):
    assert staff_client.get(reverse(f"admin:annotator_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:annotator_{model}_add")).status_code == 200
