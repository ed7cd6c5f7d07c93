"""Authentication of the API: tokens and 401 for anonymous (the lockout policy of the token
endpoint is tested in test_login_lockout.py)."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    # Throttle counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def test_it_returns_a_token_for_a_username_and_password(members):
    response = APIClient().post(
        URL, {"username": "annotator", "password": "pw-annotator"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=members["annotator"]).key}


def test_it_authenticates_requests_with_the_token(members):
    client = APIClient()
    key = client.post(URL, {"username": "curator", "password": "pw-curator"}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key.json()['token']}")
    assert client.get("/api/v1/projects/").status_code == 200


def test_it_answers_401_for_a_wrong_or_revoked_token(members):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/projects/").status_code == 401
    token = Token.objects.create(user=members["manager"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    token.delete()
    assert client.get("/api/v1/projects/").status_code == 401


def test_it_answers_401_without_credentials_rather_than_redirecting(db):
    response = APIClient().get("/api/v1/projects/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_accepts_the_browser_session_and_requires_csrf_for_writes(members):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(members["annotator"])
    assert client.get("/api/v1/projects/").status_code == 200
    body = {"document": 1, "code": 1, "start_offset": 0, "end_offset": 3}
    response = client.post("/api/v1/annotations/", body, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"username": "annotator", "password": "wrong"},
        {"username": "annotator"},
        {},
    ],
)
def test_it_answers_400_for_bad_credentials(members, body):
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
