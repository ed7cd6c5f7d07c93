import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.models import (
    Annotation,
    Code,
    Document,
    DocumentStatus,
    Membership,
    Project,
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.5 s a user on this machine; tests need no strong hashes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_project(db) -> Project:
    """The seed articles and default codebook, loaded from the fixtures."""
    call_command("loaddata", "codebook", "articles", verbosity=0)
    return Project.objects.get(pk=1)


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return get_user_model().objects.create_user(
            username=username, password="pw-" + username, **extra
        )

    return make


@pytest.fixture
def members(demo_project, make_user) -> dict:
    """One user per role of the demo project, plus an outsider who belongs to no project."""
    users = {}
    for role in ("manager", "curator", "annotator"):
        users[role] = make_user(role)
        Membership.objects.create(user=users[role], project=demo_project, role=role)
    users["annotator2"] = make_user("annotator2")
    Membership.objects.create(user=users["annotator2"], project=demo_project, role="annotator")
    users["outsider"] = make_user("outsider")
    return users


ROLES = ["manager", "curator", "annotator", "outsider", "anonymous"]


@pytest.fixture
def client_as(client, members):
    """A Django test client logged in as one of ROLES ('anonymous' = not logged in)."""

    def as_role(role: str):
        client.logout()
        if role != "anonymous":
            client.force_login(members[role])
        return client

    return as_role


@pytest.fixture
def api_as(members):
    """An API client authenticated with a token as one of ROLES ('anonymous' = none)."""

    def as_role(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            token, _ = Token.objects.get_or_create(user=members[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return as_role


@pytest.fixture
def row_counts(db):
    """A function counting the rows an import may write: compare before and after a refusal."""

    def counts() -> tuple[int, ...]:
        return (
            Document.objects.count(),
            Annotation.objects.count(),
            Code.objects.count(),
            get_user_model().objects.count(),
            Membership.objects.count(),
            Project.objects.count(),
            DocumentStatus.objects.count(),
        )

    return counts
