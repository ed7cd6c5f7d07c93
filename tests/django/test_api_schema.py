"""The OpenAPI schema at /api/schema/ and Swagger UI at /api/docs/."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token


def test_it_generates_the_schema_without_warnings_or_errors(tmp_path):
    # Equivalent of `manage.py spectacular --validate --fail-on-warn`: raises on any warning.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/v1/annotations/bulk/" in (tmp_path / "schema.yaml").read_text()


@pytest.fixture
def signed_in(db, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader"))
    return client


@pytest.fixture
def schema(signed_in):
    response = signed_in.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_it_serves_the_schema_to_signed_in_users(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Annotator API"


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/docs/?script="])
def test_it_refuses_the_schema_and_docs_to_anonymous_users(db, path):
    assert Client().get(path).status_code in (401, 403)


def test_it_serves_the_schema_to_token_holders(db, django_user_model):
    token = Token.objects.create(user=django_user_model.objects.create_user("script"))
    response = Client().get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/projects/x/"), ("post", "/api/v2/"), ("get", "/api/v1/annotations/9" * 3)],
)
def test_it_answers_404_in_json_for_unknown_api_urls(signed_in, method, path):
    response = getattr(signed_in, method)(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_answers_404_for_ids_too_large_for_the_database(signed_in):
    assert signed_in.get("/api/v1/projects/" + "9" * 30 + "/").status_code == 404


def test_it_answers_401_for_unknown_api_urls_to_anonymous_users(db):
    assert Client().get("/api/v1/nothing/").status_code in (401, 403)


def test_it_describes_every_api_route_and_its_error_responses(schema):
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/auth/token/",
        "/api/v1/projects/",
        "/api/v1/projects/{project_id}/",
        "/api/v1/projects/{project_id}/members/",
        "/api/v1/projects/{project_id}/agreement/",
        "/api/v1/projects/{project_id}/export/",
        "/api/v1/projects/{project_id}/codebook/",
        "/api/v1/projects/{project_id}/codebook/codes/",
        "/api/v1/projects/{project_id}/codebook/codes/{code_id}/",
        "/api/v1/projects/{project_id}/codebook/import/",
        "/api/v1/projects/{project_id}/documents/import/",
        "/api/v1/projects/{project_id}/annotations/import/",
        "/api/v1/projects/{project_id}/documents/",
        "/api/v1/projects/{project_id}/documents/{document_id}/",
        "/api/v1/projects/{project_id}/documents/{document_id}/status/",
        "/api/v1/projects/{project_id}/documents/{document_id}/annotations/",
        "/api/v1/annotations/",
        "/api/v1/annotations/bulk/",
        "/api/v1/annotations/{annotation_id}/",
        *(
            f"/api/v1/projects/{{project_id}}/analysis/{route}/"
            for route in ("segments", "frequencies", "cooccurrence", "search", "memos")
        ),
        "/api/v1/projects/{project_id}/analysis/autocode/preview/",
        "/api/v1/projects/{project_id}/analysis/autocode/",
        # Team setup (api/setup.py)
        "/api/v1/projects/{project_id}/members/{user_id}/",
        "/api/v1/projects/{project_id}/invitations/",
        "/api/v1/projects/{project_id}/invitations/{invitation_id}/",
        "/api/v1/projects/{project_id}/documents/upload/",
        "/api/v1/projects/{project_id}/documents/{document_id}/memos/",
        # The codebook editor (api/codebook.py)
        "/api/v1/projects/{project_id}/codebook/codes/{code_id}/move/",
        "/api/v1/projects/{project_id}/codebook/codes/{code_id}/split/",
        "/api/v1/projects/{project_id}/codebook/merge/",
        "/api/v1/projects/{project_id}/codebook/versions/",
        "/api/v1/projects/{project_id}/codebook/versions/{number}/",
        "/api/v1/projects/{project_id}/codebook/draft/",
        "/api/v1/projects/{project_id}/codebook/changes/",
        "/api/v1/projects/{project_id}/codebook/draft/import/",
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert operation.get("summary"), (method, path)
            if path != "/api/v1/auth/token/":
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            filtered = path.endswith(("/documents/", "/annotations/", "/agreement/", "/export/"))
            if method in ("post", "patch", "put") or filtered:
                assert "400" in responses, (method, path)


def test_it_documents_the_filters_of_the_annotation_list(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/annotations/"]["get"]["parameters"]}
    assert names == {"project", "document", "coder", "code", "limit", "cursor"}


def test_it_serves_swagger_ui_from_local_static_files_only(signed_in):
    response = signed_in.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls, page
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert any("swagger-ui-bundle.js" in url for url in urls)
    # No inline script (the CSP forbids it): the initialiser is a separate script URL.
    assert "<script>" not in page
    assert re.search(r"<style(?! nonce=)", page) is None
    script = signed_in.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
