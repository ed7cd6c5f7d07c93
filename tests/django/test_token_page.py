"""The account page at /account/token/: create, regenerate and revoke an API token."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

URL = "/account/token/"


def test_it_is_named_account_token():
    assert reverse("annotator:account-token") == URL


@pytest.mark.parametrize("role", ["manager", "curator", "annotator", "outsider"])
def test_it_shows_every_signed_in_user_that_they_have_no_token(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 200
    assert "You have no token." in response.content.decode()


def test_it_sends_anonymous_users_to_the_login_page(client_as):
    response = client_as("anonymous").get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client_as("anonymous").post(URL, {"action": "create"}).status_code == 302
    assert not Token.objects.exists()


def test_it_shows_a_new_key_once_and_never_again(client_as, members):
    client = client_as("annotator")
    response = client.post(URL, {"action": "create"})
    key = Token.objects.get(user=members["annotator"]).key
    assert response.status_code == 200
    assert key in response.content.decode()
    again = client.get(URL).content.decode()
    assert key not in again
    assert "You have a token" in again


def test_it_regenerates_a_key_so_the_old_one_stops_working(client_as, members):
    client = client_as("annotator")
    client.post(URL, {"action": "create"})
    old = Token.objects.get(user=members["annotator"]).key
    client.post(URL, {"action": "create"})
    new = Token.objects.get(user=members["annotator"]).key
    assert new != old
    api = Client(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/v1/projects/").status_code == 401


def test_it_revokes_the_token(client_as, members):
    client = client_as("annotator")
    client.post(URL, {"action": "create"})
    response = client.post(URL, {"action": "revoke"})
    assert response.status_code == 200
    assert "You have no token." in response.content.decode()
    assert not Token.objects.filter(user=members["annotator"]).exists()


def test_it_touches_only_the_requesting_users_token(client_as, members):
    other = Token.objects.create(user=members["curator"])
    client_as("annotator").post(URL, {"action": "revoke"})
    assert Token.objects.filter(pk=other.pk).exists()


def test_it_refuses_an_unknown_action(client_as):
    assert client_as("annotator").post(URL, {"action": "show"}).status_code == 400


def test_it_refuses_a_post_without_csrf_token(members):
    client = Client(enforce_csrf_checks=True)
    client.force_login(members["annotator"])
    assert client.post(URL, {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


def test_its_forms_carry_a_csrf_token(client_as):
    client = client_as("annotator")
    client.post(URL, {"action": "create"})
    page = client.get(URL).content.decode()
    assert 'value="create"' in page and 'value="revoke"' in page
    assert page.count("<form") == page.count("csrfmiddlewaretoken") == 3  # with "Log out"
