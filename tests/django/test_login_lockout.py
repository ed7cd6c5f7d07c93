"""One lockout policy for the login page and the token endpoint (django-axes): failures counted
in the database per (real client address, username); a locked pair gets 429; nobody else is
locked out by it; a client-written X-Forwarded-For changes nothing."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from annotator.lockout import TOO_MANY, client_ip

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"
LIMIT = 20


def _token(client, username, password="guess", **extra):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", **extra
    ).status_code


def _login(client, username, password="guess", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra).status_code


def test_the_token_endpoint_locks_a_pair_at_the_limit_even_with_the_right_password(members):
    client = APIClient()
    statuses = [_token(client, "annotator") for _ in range(LIMIT + 1)]
    assert statuses == [400] * (LIMIT - 1) + [429, 429]
    response = client.post(
        TOKEN, {"username": "annotator", "password": "pw-annotator"}, format="json"
    )
    assert response.status_code == 429
    assert response.json() == {"detail": TOO_MANY}
    assert int(response["Retry-After"]) > 0


def test_the_login_page_answers_429_with_a_message(members):
    client = Client()
    statuses = [_login(client, "annotator") for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]
    response = client.post(LOGIN, {"username": "annotator", "password": "pw-annotator"})
    assert response.status_code == 429
    body = response.content.decode()
    assert TOO_MANY in body and 'role="alert"' in body
    assert "_auth_user_id" not in client.session


def test_a_rotating_x_forwarded_for_does_not_escape_the_limit(members):
    client = APIClient()
    statuses = [
        _token(client, "annotator", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}") for i in range(LIMIT + 5)
    ]
    assert statuses.count(429) == 6 and statuses[LIMIT - 1] == 429


def test_behind_a_trusted_proxy_the_proxys_entry_counts_not_the_clients(members, settings):
    settings.ANNOTATOR_TRUSTED_PROXIES = 1
    client = APIClient()
    # The client writes the left part; our proxy appends the address it saw (198.51.100.9).
    statuses = [
        _token(client, "annotator", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 198.51.100.9")
        for i in range(LIMIT)
    ]
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}
    # Another real client behind the same proxy is not locked out.
    other = _token(client, "annotator", "pw-annotator", HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert other == 200


def test_one_users_failures_do_not_lock_out_another_user(members):
    attacker = APIClient(REMOTE_ADDR="192.0.2.1")
    for _ in range(LIMIT):
        _token(attacker, "annotator")
    assert _token(attacker, "annotator") == 429
    # Another user from the same address, and the victim from another address, still log in.
    assert _token(attacker, "curator", "pw-curator") == 200
    victim = APIClient(REMOTE_ADDR="192.0.2.2")
    assert _token(victim, "annotator", "pw-annotator") == 200
    assert _login(Client(REMOTE_ADDR="192.0.2.2"), "annotator", "pw-annotator") == 302


def test_the_count_lives_in_the_database_shared_by_every_process(members):
    for _ in range(LIMIT):
        _token(APIClient(), "annotator")  # a new client (no cookies) each time
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "annotator",
        "127.0.0.1",
        LIMIT,
    )
    assert _login(Client(), "annotator", "pw-annotator") == 429


def test_the_login_page_and_the_token_endpoint_share_the_count(members):
    for _ in range(LIMIT // 2):
        _login(Client(), "annotator")
    statuses = [_token(APIClient(), "annotator") for _ in range(LIMIT // 2)]
    assert statuses[-1] == 429
    assert _login(Client(), "annotator", "pw-annotator") == 429


def test_a_successful_login_resets_the_count(members):
    client = APIClient()
    for _ in range(LIMIT - 1):
        _token(client, "annotator")
    assert _token(client, "annotator", "pw-annotator") == 200
    assert _token(client, "annotator") == 400


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "127.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        (2, "1.1.1.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "10.0.0.2", "127.0.0.1"),  # fewer entries than proxies: the connection's address
        (1, "", "127.0.0.1"),
    ],
)
def test_client_ip_follows_the_proxy_setting(settings, proxies, forwarded, expected):
    settings.ANNOTATOR_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
