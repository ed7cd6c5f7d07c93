"""Gamma on the agreement report page (an htmx fragment) and, on request, in its ZIP."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document

FAST = {"bootstrap": "0"}


@pytest.fixture
def coded(demo_project, members):
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    for doc_id in (1, 2):
        doc = Document.objects.get(pk=doc_id)
        for coder, start in (("annotator", 0), ("annotator2", 5)):
            services.annotation_create(
                document=doc, coder=members[coder], code=codes["Iran"], start_offset=start,
                end_offset=50,
            )  # fmt: skip
            services.document_status_set(document=doc, coder=members[coder], state="done")
    return codes


def gamma_url(project_id=1):
    return reverse("annotator:agreement-gamma", args=[project_id])


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 403), ("outsider", 404)],
)
def test_only_curators_and_managers_compute_gamma(client_as, coded, role, status):
    assert client_as(role).get(gamma_url(), FAST).status_code == status


def test_anonymous_is_sent_to_log_in(client_as, coded):
    response = client_as("anonymous").get(gamma_url(), FAST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_fragment_shows_the_value_settings_and_reference(client_as, coded):
    response = client_as("curator").get(gamma_url(), FAST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="gamma-result"')  # the fragment, not the page
    assert 'id="gamma-value"' in html and "undefined" not in html
    assert "CombinedCategoricalDissimilarity(alpha=3, beta=1, delta_empty=1)" in html
    assert "Computational Linguistics" in html


def test_without_javascript_the_link_opens_a_full_page(client_as, coded):
    html = client_as("curator").get(gamma_url(), FAST).content.decode()
    assert "<html" in html and 'id="gamma-value"' in html and "Agreement report" in html


def test_it_uses_the_report_filters(client_as, coded):
    # One coder left: gamma is undefined and says why, as the narrowed report would.
    html = client_as("curator").get(gamma_url(), FAST | {"coders": "annotator"}).content.decode()
    assert "<strong>undefined</strong>" in html


def test_it_refuses_invalid_filters(client_as, coded):
    response = client_as("curator").get(gamma_url(), {"bootstrap": "-1"})
    assert response.status_code == 400


def test_the_page_offers_gamma_through_htmx_with_a_link_fallback(client_as, coded):
    html = (
        client_as("curator")
        .get(reverse("annotator:agreement-results", args=[1]), FAST)
        .content.decode()
    )
    assert "Compute γ (slow on large projects)" in html
    assert f'href="{gamma_url()}?' in html and f'hx-get="{gamma_url()}?' in html
    assert 'hx-target="#gamma-result"' in html and 'id="gamma-result"' in html


def zip_names(content: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_the_zip_adds_gamma_json_only_on_request(client_as, coded):
    client = client_as("curator")
    url = reverse("annotator:agreement-download", args=[1, "agreement.zip"])
    plain = client.get(url, FAST).content
    assert "agreement/gamma.json" not in zip_names(plain)
    with_gamma = client.get(url, FAST | {"gamma": "1"})
    assert with_gamma.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(with_gamma.content))
    assert set(archive.namelist()) == set(zip_names(plain)) | {"agreement/gamma.json"}
    data = json.loads(archive.read("agreement/gamma.json"))
    assert data["value"] is not None and data["reason"] is None
    assert data["settings"].startswith("CombinedCategoricalDissimilarity")
