import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ["manager", "curator", "annotator", "outsider", "anonymous"]


def _app_urls():
    """Every route of the annotator namespace, with 1 for each path argument."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "accounts/login", "static/")):
            continue
        # One value per converter: 1 for ints, "x" for strings; regex routes are skipped.
        if "^" in route:
            continue
        path = "/" + re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) in ("int", "id") else "x", route
        )
        yield path


@pytest.mark.parametrize("path", sorted(set(_app_urls())))
def test_every_page_requires_login(client, demo_project, path):
    response = client.get(path)
    if path == "/api/v1/auth/token/":
        # How a script gets its token: open to anonymous POSTs, nothing to GET.
        assert response.status_code == 405
    elif path.startswith(("/accounts/password/reset/", "/invitations/")):
        # Open by design: resetting a forgotten password, joining through an invitation link.
        assert response.status_code in (200, 302, 404), path
    elif path in ("/healthz", "/readyz"):
        # Probes for a load balancer: open, and they reveal nothing but "ok".
        assert response.status_code == 200
    elif path.startswith("/api/"):
        assert response.status_code in (401, 403), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("login")), path


def test_login_page_renders_and_logs_in(client, members):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "annotator", "password": "pw-annotator"})
    assert response.status_code == 302
    response = client.get(reverse("annotator:home"))
    assert "Israel–Russia relations" in response.content.decode()


def test_logout_requires_post(client, members):
    client.force_login(members["annotator"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("annotator:home")).status_code == 302


def test_home_lists_only_my_projects(client_as):
    assert "Israel–Russia relations" in client_as("annotator").get("/").content.decode()
    assert "Israel–Russia relations" not in client_as("outsider").get("/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_project_page_access_matrix(client_as, demo_project, role):
    response = client_as(role).get(reverse("annotator:project-detail", args=[demo_project.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("<tr>") == 6  # header + five articles
        assert "The Limits Of Russo-Israeli Cooperation" in body


def test_the_login_page_says_when_plain_http_cannot_sign_in(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    page = client.get(reverse("login")).content.decode()
    assert "plain HTTP" in page and "HTTPS only" in page
    secure = client.get(reverse("login"), secure=True).content.decode()
    assert "plain HTTP" not in secure
    settings.SESSION_COOKIE_SECURE = False  # DEBUG on: cookies over plain HTTP work
    assert "plain HTTP" not in client.get(reverse("login")).content.decode()
