"""The access matrix, generated from the URL configuration.

Every route of ``annotator.urls`` (pages, POST-only actions, the API, Django's admin) is
requested with GET and POST by each role, with its ids filled from the demo project, and the
answer must be of the class its entry in ROUTES gives. A route without an entry fails: add one
for every new route (``name: ANNOTATOR``, or ``name: (GET role, POST role)`` when they differ).

Classes of answer: anonymous → redirect to the login page (pages) or 401/403 (API); outsider (a
user in no project) → 404; a member whose role is too low → 403; allowed → 2xx, 3xx (but not to
a login page), or a 4xx that judges the request itself (400, 405, 409, 422) — never 500.
"""

from django.db import transaction
from django.urls import reverse

PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed-in"  # any signed-in user; what it shows is their own
ANNOTATOR, CURATOR, MANAGER = "annotator", "curator", "manager"  # members of the project
STAFF = "staff"  # Django's admin: staff accounts only (no project role is staff)
NOT_FOUND = "not-found"  # a catch-all that answers 404 to every signed-in user
NO_METHOD = "no-method"  # (from None in ROUTES) the route does not take this method
CREATORS = "creators"  # ANNOTATOR_PROJECT_CREATORS (staff by default): no role below is staff

# The lowest role that may use each route: one for both methods, or (GET, POST) where None
# marks a method the route does not take (405 to everyone signed in, before any access check).
ROUTES = {
    # pages
    "login": PUBLIC,
    "logout": SIGNED_IN,
    "annotator:home": SIGNED_IN,
    "annotator:account-token": SIGNED_IN,
    "annotator:project-detail": ANNOTATOR,
    "annotator:document-annotate": (ANNOTATOR, None),
    "annotator:annotation-panel": (ANNOTATOR, None),
    "annotator:annotation-create": (None, ANNOTATOR),
    "annotator:annotation-delete": (None, ANNOTATOR),
    "annotator:annotation-memo": (None, ANNOTATOR),
    "annotator:document-status": (None, ANNOTATOR),
    "annotator:document-next": (ANNOTATOR, None),
    "annotator:project-export": CURATOR,
    "annotator:project-export-download": CURATOR,
    "annotator:project-import": MANAGER,
    "annotator:assignments": MANAGER,
    "annotator:assignment-delete": (None, MANAGER),
    "annotator:progress": (MANAGER, None),
    "annotator:progress-csv": (MANAGER, None),
    "annotator:progress-chart": (MANAGER, None),
    "annotator:curate": (CURATOR, None),
    "annotator:curate-action": (None, CURATOR),
    "annotator:agreement-report": (CURATOR, None),
    "annotator:agreement-results": (CURATOR, None),
    "annotator:agreement-document": (CURATOR, None),
    "annotator:agreement-download": (CURATOR, None),
    "annotator:agreement-plot": (CURATOR, None),
    "annotator:agreement-gamma": (CURATOR, None),
    "annotator:analysis": (ANNOTATOR, None),
    "annotator:analysis-segments": (ANNOTATOR, None),
    "annotator:analysis-frequencies": (ANNOTATOR, None),
    "annotator:analysis-cooccurrence": (ANNOTATOR, None),
    "annotator:analysis-search": (ANNOTATOR, None),
    "annotator:analysis-memos": (ANNOTATOR, None),
    "annotator:analysis-autocode": ANNOTATOR,
    "annotator:project-create": CREATORS,
    "annotator:project-settings": MANAGER,
    "annotator:project-members": MANAGER,
    "annotator:member-add": (None, MANAGER),
    "annotator:member-role": (None, MANAGER),
    "annotator:member-remove": (None, MANAGER),
    "annotator:invitation-create": (None, MANAGER),
    "annotator:invitation-revoke": (None, MANAGER),
    "annotator:invitation-accept": PUBLIC,
    "annotator:document-upload": MANAGER,
    "annotator:document-edit": MANAGER,
    "annotator:document-original": ANNOTATOR,
    "annotator:document-memo": ANNOTATOR,
    "annotator:password-change": SIGNED_IN,
    "annotator:password-change-done": SIGNED_IN,
    "annotator:password-reset": PUBLIC,
    "annotator:password-reset-done": PUBLIC,
    "annotator:password-reset-confirm": PUBLIC,
    "annotator:password-reset-complete": PUBLIC,
    "annotator:annotation-list": (ANNOTATOR, None),
    "annotator:codebook-edit": MANAGER,
    "annotator:codebook-code-add": (None, MANAGER),
    "annotator:codebook-code": MANAGER,
    "annotator:codebook-code-move": (None, MANAGER),
    "annotator:codebook-code-delete": (None, MANAGER),
    "annotator:codebook-code-split": (None, MANAGER),
    "annotator:codebook-merge": (None, MANAGER),
    "annotator:codebook-publish": (None, MANAGER),
    "annotator:codebook-history": MANAGER,
    "annotator:codebook-import": MANAGER,
    "annotator:codebook-seen": (None, ANNOTATOR),
    "healthz": PUBLIC,  # POST: 405 to everyone
    "readyz": PUBLIC,
    # API
    "api-token": PUBLIC,
    "api-project-list": (SIGNED_IN, CREATORS),
    "api-project-detail": (ANNOTATOR, None),
    "api-project-members": (ANNOTATOR, MANAGER),
    "api-codebook-detail": (ANNOTATOR, None),
    "api-code-list": (ANNOTATOR, MANAGER),
    "api-code-detail": (ANNOTATOR, None),  # PATCH (managers) is not among the methods tried
    "api-codebook-import": (None, MANAGER),
    "api-document-list": (ANNOTATOR, MANAGER),
    "api-document-import": (None, MANAGER),
    "api-document-detail": (ANNOTATOR, None),
    "api-document-status": ANNOTATOR,
    "api-agreement": (CURATOR, None),
    "api-export": (CURATOR, None),
    "api-annotation-import": (None, MANAGER),
    "api-annotation-list": SIGNED_IN,
    "api-annotation-bulk": SIGNED_IN,
    "api-annotation-detail": (ANNOTATOR, None),
    "api-member": (None, None),  # PATCH and DELETE (managers) are not tried
    "api-invitations": MANAGER,
    "api-invitation": (None, None),  # DELETE (managers) is not tried
    "api-document-upload": (None, MANAGER),
    "api-document-memos": (ANNOTATOR, None),  # PUT writes
    "api-document-annotations": (ANNOTATOR, None),
    "api-analysis-segments": (ANNOTATOR, None),
    "api-analysis-frequencies": (ANNOTATOR, None),
    "api-analysis-cooccurrence": (ANNOTATOR, None),
    "api-analysis-search": (ANNOTATOR, None),
    "api-analysis-memos": (ANNOTATOR, None),
    "api-analysis-autocode-preview": (ANNOTATOR, None),
    "api-analysis-autocode": (None, ANNOTATOR),
    "api-code-move": (None, MANAGER),
    "api-code-split": (None, MANAGER),
    "api-code-merge": (None, MANAGER),
    "api-codebook-versions": (ANNOTATOR, MANAGER),
    "api-codebook-version": (ANNOTATOR, None),
    "api-codebook-draft": (MANAGER, None),
    "api-codebook-changes": (MANAGER, None),
    "api-codebook-draft-import": (None, MANAGER),
    "api-schema": SIGNED_IN,
    "api-docs": SIGNED_IN,
    "api/": NOT_FOUND,
    # Django's admin: every route is STAFF (see minimum_role) except logging in and out.
    "admin:login": PUBLIC,
    "admin:logout": SIGNED_IN,
}

ROLES = ("anonymous", "outsider", "annotator", "curator", "manager")
RANK = {ANNOTATOR: 1, CURATOR: 2, MANAGER: 3}
ALLOWED_4XX = {400, 405, 409, 422}


def minimum_role(route, method: str) -> str:
    entry = ROUTES.get(route.name)
    if entry is None and route.is_admin:
        entry = STAFF
    assert entry is not None, (
        f"Route {route.name!r} ({route.pattern}) has no entry in ROUTES in "
        "tests/django/test_access_matrix.py: add the lowest role that may use it."
    )
    if isinstance(entry, tuple):
        entry = entry[0] if method == "get" else entry[1]
    return NO_METHOD if entry is None else entry


def classify(route, role: str, minimum: str) -> str:
    """The class of answer ``role`` must get: allowed, login, 401, 404 or 403."""
    if minimum == PUBLIC:
        return "allowed"
    if role == "anonymous":
        return "unauthenticated"
    if minimum == STAFF:
        return "admin-login"
    if minimum == NOT_FOUND:
        return "404"
    if minimum == NO_METHOD:
        return "405"
    if minimum == SIGNED_IN:
        return "allowed"
    if minimum == CREATORS:
        return "403"
    if role == "outsider":
        return "404"
    return "allowed" if RANK[role] >= RANK[minimum] else "403"


def matches(route, response, expected: str) -> bool:
    status, location = response.status_code, response.get("Location", "")
    login = reverse("login")
    if expected == "allowed":
        # Being sent to a login page with ?next= is a refusal (logging out also lands there).
        refused = location.startswith((login, reverse("admin:login"))) and "next=" in location
        return 200 <= status < 300 or status in ALLOWED_4XX or (300 <= status < 400 and not refused)
    if expected == "unauthenticated":
        if route.is_api:
            return status in (401, 403)
        admin = route.is_admin and location.startswith(reverse("admin:login"))
        return status == 302 and (location.startswith(login) or admin)
    if expected == "admin-login":
        return status == 302 and location.startswith(reverse("admin:login"))
    return status == int(expected)


def request(client, method: str, url: str):
    """One request whose writes are undone, so every role meets the same data."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


def test_every_route_has_an_entry_and_every_entry_a_route(url_routes_list):
    names = {route.name for route in url_routes_list}
    missing = [
        f"{r.name} ({r.pattern})"
        for r in url_routes_list
        if r.name not in ROUTES and not r.is_admin
    ]
    assert not missing, f"Routes without an entry in ROUTES: {missing}"
    assert not set(ROUTES) - names, f"Entries in ROUTES for no route: {set(ROUTES) - names}"


def test_each_role_gets_the_answer_its_role_allows(url_route, request_as, route_ids):
    failures = []
    for method in ("get", "post"):
        minimum = minimum_role(url_route, method)
        for role in ROLES:
            url = url_route.url(route_ids(role))
            client = request_as(role, api=url_route.is_api)
            try:
                response = request(client, method, url)
            except Exception as exc:  # a server error: report it with the route and role
                failures.append(f"{role} {method.upper()} {url}: raised {exc!r}")
                continue
            expected = classify(url_route, role, minimum)
            if not matches(url_route, response, expected):
                failures.append(
                    f"{role} {method.upper()} {url}: expected {expected} (minimum role "
                    f"{minimum}), got {response.status_code} {response.get('Location', '')}"
                )
    assert not failures, "\n".join(failures)
