"""The HTML login page (annotator.views.auth.LoginView) limits failed attempts."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import path

from annotator import urls
from annotator.views.auth import LOGIN_FAILURES_PER_MINUTE, TOO_MANY, LoginView

# The project's routes with the throttled view at the login URL, whether or not annotator/urls.py
# already points there: these tests are about the view.
urlpatterns = [path("accounts/login/", LoginView.as_view(), name="login"), *urls.urlpatterns]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    cache.clear()
    yield
    cache.clear()


URL = "/accounts/login/"


def test_it_answers_429_with_a_message_after_too_many_failures(members):
    client = Client()
    bad = {"username": "annotator", "password": "guess"}
    statuses = [client.post(URL, bad).status_code for _ in range(LOGIN_FAILURES_PER_MINUTE + 1)]
    assert statuses == [200] * LOGIN_FAILURES_PER_MINUTE + [429]
    response = client.post(URL, {"username": "annotator", "password": "pw-annotator"})
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_counts_per_username(members):
    client = Client()
    for _ in range(LOGIN_FAILURES_PER_MINUTE):
        client.post(URL, {"username": "annotator", "password": "guess"})
    response = client.post(URL, {"username": "curator", "password": "pw-curator"})
    assert response.status_code == 302


def test_it_does_not_count_successful_logins(members):
    client = Client()
    for _ in range(LOGIN_FAILURES_PER_MINUTE + 5):
        response = client.post(URL, {"username": "annotator", "password": "pw-annotator"})
        assert response.status_code == 302
        client.logout()
