import io
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator import services
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


# --- Every route of the URL configuration, and objects to fill their ids with -----------------

# Values of the path parameters that are not database ids, by route name. A new route with such
# a parameter needs an entry here (the route tests fail naming it otherwise).
ROUTE_ARGS = {
    "annotator:agreement-download": {"filename": "coefficients.csv"},
    "annotator:agreement-plot": {"name": "heatmap", "ext": "png"},
    "annotator:curate-action": {"action": "note"},
    # An unknown reset link: the page answers that it is not valid (public).
    "annotator:password-reset-confirm": {"uidb64": "MQ", "token": "set-password"},
}
# Parameters of Django's admin routes (every one answers staff only, whatever the object).
ADMIN_ARGS = {
    "app_label": "annotator",
    "object_id": "1",
    "id": "1",
    "content_type_id": "1",
    "url": "nope/",
}
ID_PARAMS = (
    "project_id",
    "document_id",
    "annotation_id",
    "code_id",
    "assignment_id",
    "membership_id",
    "invitation_id",
    "user_id",
    "token",  # an invitation's secret (a reset link's token is in ROUTE_ARGS)
    "number",  # a published codebook version
)


@dataclass(frozen=True)
class UrlRoute:
    """One ``URLPattern`` of ``annotator.urls``, with its full path pattern and parameters."""

    name: str  # "namespace:name"; an unnamed route is named by its pattern
    pattern: str
    params: tuple[str, ...]
    named: bool

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def id_params(self) -> tuple[str, ...]:
        return tuple(p for p in self.params if p in ID_PARAMS)

    def url(self, ids: dict) -> str:
        """The route's URL with ``ids`` for its id parameters and ROUTE_ARGS for the others."""
        extra = ADMIN_ARGS if self.is_admin else ROUTE_ARGS.get(self.name, {})
        values = {**{p: ids[p] for p in self.id_params}, **extra}
        missing = [p for p in self.params if p not in values]
        if missing:
            raise AssertionError(
                f"Route {self.name!r} ({self.pattern}) has parameters {missing} that are not "
                "database ids: add their values to ROUTE_ARGS in tests/conftest.py."
            )
        if not self.named:  # e.g. the API's catch-all, the admin's redirects
            fill = lambda match: str(values[match[1] or match[2]])  # noqa: E731
            return "/" + re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", fill, self.pattern)
        return reverse(self.name, kwargs={p: values[p] for p in self.params})


def url_routes() -> list[UrlRoute]:
    """Every URLPattern of the root URLconf, API and admin included, in order."""
    found: dict[str, UrlRoute] = {}

    def text(pattern) -> str:
        return str(pattern).removeprefix("^").removesuffix("$")

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + text(entry.pattern), inner)
                continue
            full = prefix + text(entry.pattern)
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", full))
            params = tuple(a or b for a, b in params)
            name = f"{namespace}{entry.name}" if entry.name else full
            assert name not in found, f"two routes named {name!r}"
            found[name] = UrlRoute(name, full, params, bool(entry.name))

    walk(get_resolver().url_patterns, "", "")
    return list(found.values())


# Tests taking one of these arguments run once per route of the URL configuration (of a subset).
ROUTE_SETS = {
    "url_route": lambda route: True,  # every route, Django's admin included
    "app_route": lambda route: not route.is_admin,
    # Names a project's object by id. An invitation link's secret token is not such an id: the
    # link itself grants access to whoever holds it (by design), so it is left out here.
    "id_route": lambda route: not route.is_admin and bool(set(route.id_params) - {"token"}),
}


def pytest_generate_tests(metafunc):
    for argument, keep in ROUTE_SETS.items():
        if argument in metafunc.fixturenames:
            routes = [route for route in url_routes() if keep(route)]
            metafunc.parametrize(argument, routes, ids=[r.name for r in routes])


@pytest.fixture
def own_objects(demo_project, members) -> dict:
    """Ids of demo-project objects for routes that name one: ``annotation_id`` maps each member
    role to a coding of their own; the curator has curated document 2 (a gold coding)."""
    from annotator.services import workflow

    document = Document.objects.get(pk=1)
    code = Code.objects.filter(codebook=demo_project.codebook).order_by("pk").first()
    codings = {}
    for i, role in enumerate(("manager", "curator", "annotator", "annotator2")):
        codings[role] = services.annotation_create(
            document=document,
            coder=members[role],
            code=code,
            start_offset=10 * i,
            end_offset=10 * i + 5,
            memo=f"demo memo {i}",
        )[0].pk
        services.document_status_set(document=document, coder=members[role], state="done")
    assignment = workflow.assignment_create(document=document, coder=members["annotator"])
    workflow.gold_add(
        document=Document.objects.get(pk=2),
        curator=members["curator"],
        code=code,
        start_offset=0,
        end_offset=6,
        version=0,
    )
    from annotator.models import DocumentOriginal
    from annotator.services.members import invitation_create

    invitation, token = invitation_create(
        project=demo_project, role="annotator", created_by=members["manager"]
    )
    from annotator.services.codebooks import codebook_publish

    version = codebook_publish(codebook=demo_project.codebook, user=None, note="Version one")
    DocumentOriginal.objects.create(
        document=document,
        filename="article.txt",
        content_type="text/plain",
        size=4,
        sha256="0" * 64,
        data=b"text",
    )
    return {
        "project_id": demo_project.pk,
        "document_id": document.pk,
        "code_id": code.pk,
        "assignment_id": assignment.pk,
        "annotation_id": codings,
        # The second annotator's membership and account: a manager may change or remove them.
        "membership_id": Membership.objects.get(user=members["annotator2"]).pk,
        "user_id": members["annotator2"].pk,
        "invitation_id": invitation.pk,
        "token": token,
        "number": version.number,
    }


# --- A second project: nothing of it may ever show in the first one's pages and API ---------------

OTHER_WORD = "quokka"  # every text of the second project contains it; nothing else does


def _ids_from(model, start: int) -> None:
    """Make the table's next automatic id at least ``start``: each table of the second project
    gets its own range of ids, so its ids are unmistakable in any response (and never equal an
    id of another table's rows)."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({column}) FROM {table}")  # noqa: S608 (names, not input)
        start = max(start, (cursor.fetchone()[0] or 0) + 1)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)", [table, column, start]
            )
        else:  # SQLite: Django's AUTOINCREMENT tables continue from sqlite_sequence
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                [model._meta.db_table, start - 1],
            )


@dataclass
class OtherProject:
    project: Project
    users: dict  # role -> user, the second project's own members
    codes: list
    documents: list
    annotations: list  # the coders' codings, then the gold standard's
    assignments: list
    ids: dict = field(default_factory=dict)  # parameter name -> an id of this project's objects
    all_ids: set = field(default_factory=set)  # every id of every object of this project

    def leaks(self, content: bytes, ignore: set = frozenset()) -> list[str]:
        """What of this project appears in a response body (ZIP members are read too), apart
        from the ids in ``ignore``."""
        texts = [content]
        if content[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                texts = [archive.read(member) for member in archive.namelist()]
        found = []
        for raw in texts:
            body = raw.decode("utf-8", "replace")
            if OTHER_WORD in body.lower():
                at = body.lower().index(OTHER_WORD)
                found.append(f"the text {body[max(0, at - 40) : at + 40]!r}")
            numbers = {int(n) for n in re.findall(r"(?<![\w.])\d{8}(?![\w.])", body)}
            found += [f"the id {n}" for n in sorted((numbers & self.all_ids) - ignore)]
        return found


@pytest.fixture
def other_project(db, make_user) -> OtherProject:
    """A second project with its own members, codebook, documents, codings with memos, statuses,
    assignments and curated gold standard, all made by the services. No member of the demo
    project belongs to it. Its objects have ids of eight digits (71,000,000 and up, one range
    per table) and every text contains OTHER_WORD."""
    from annotator.models import (
        Assignment,
        Codebook,
        Curation,
        CurationNote,
        GoldProvenance,
    )
    from annotator.services import workflow

    for i, model in enumerate(
        [
            get_user_model(),
            Codebook,
            Code,
            Project,
            Membership,
            Document,
            Annotation,
            DocumentStatus,
            Assignment,
            Curation,
            GoldProvenance,
            CurationNote,
        ]
    ):
        _ids_from(model, 71_000_000 + 1_000_000 * i)

    users = {
        role: make_user(f"{OTHER_WORD}_{role}", first_name=f"Quokka {role}")
        for role in ("manager", "curator", "annotator", "annotator2")
    }
    codebook = Codebook.objects.create(name="Quokka codebook", description="Quokka behaviour")
    codes = [
        Code.objects.create(
            codebook=codebook,
            name=f"quokka {name}",
            definition=f"Quokka {name} definition",
            shortcut=str(i + 1),
            order=i,
        )
        for i, name in enumerate(("smile", "hop"))
    ]
    project = Project.objects.create(name="Quokka island study", codebook=codebook)
    for role, user in users.items():
        Membership.objects.create(user=user, project=project, role=role.rstrip("2"))
    documents = [
        services.document_create(
            project=project,
            title=f"Quokka report {n}",
            source="Quokka Gazette",
            author="Quokka Author",
            external_id=f"quokka-{n}",
            text=f"Quokka report {n}. The quokkas of Rottnest Island smile and hop {n} times.",
            metadata={"desk": "quokka desk"},
        )
        for n in (1, 2)
    ]
    annotations, assignments = [], []
    for document in documents:
        for offset, role in enumerate(("annotator", "annotator2")):
            annotations.append(
                services.annotation_create(
                    document=document,
                    coder=users[role],
                    code=codes[offset],
                    start_offset=0,
                    end_offset=6 + offset,
                    memo=f"quokka memo by {role}",
                )[0]
            )
            services.document_status_set(document=document, coder=users[role], state="done")
            assignments.append(
                workflow.assignment_create(
                    document=document, coder=users[role], assigned_by=users["manager"]
                )
            )
    curated = documents[0]
    annotations.append(
        workflow.gold_accept(
            document=curated, curator=users["curator"], annotation=annotations[0], version=0
        )
    )
    annotations.append(
        workflow.gold_add(
            document=curated,
            curator=users["curator"],
            code=codes[1],
            start_offset=7,
            end_offset=13,
            version=1,
        )
    )
    workflow.curation_note_create(document=curated, author=users["curator"], text="quokka note")
    from annotator.models import DocumentMemo, DocumentOriginal
    from annotator.services.members import invitation_create

    invitation, token = invitation_create(
        project=project, role="annotator", created_by=users["manager"]
    )
    DocumentOriginal.objects.create(
        document=documents[0],
        filename="quokka.txt",
        content_type="text/plain",
        size=6,
        sha256="1" * 64,
        data=b"quokka",
    )
    DocumentMemo.objects.create(document=documents[0], coder=users["annotator"], text="quokka memo")
    from annotator.services.codebooks import codebook_publish

    other_version = codebook_publish(codebook=codebook, user=None, note="Quokka version")

    project.refresh_from_db()
    other = OtherProject(project, users, codes, documents, annotations, assignments)
    other.ids = {
        "project_id": project.pk,
        "document_id": documents[0].pk,
        "code_id": codes[0].pk,
        "assignment_id": assignments[0].pk,
        "annotation_id": annotations[0].pk,
        "membership_id": Membership.objects.get(user=users["annotator2"]).pk,
        "user_id": users["annotator2"].pk,
        "invitation_id": invitation.pk,
        "token": token,
        "number": other_version.number,
    }
    other.all_ids.update(
        [project.pk, codebook.pk, *(c.pk for c in codes), *(d.pk for d in documents)],
        [a.pk for a in assignments],
        Membership.objects.filter(project=project).values_list("user_id", flat=True),
        Membership.objects.filter(project=project).values_list("pk", flat=True),
        Annotation.objects.filter(document__project=project).values_list("pk", flat=True),
        DocumentStatus.objects.filter(document__project=project).values_list("pk", flat=True),
        Curation.objects.filter(document__project=project).values_list("pk", flat=True),
        GoldProvenance.objects.filter(annotation__document__project=project).values_list(
            "pk", flat=True
        ),
        CurationNote.objects.filter(document__project=project).values_list("pk", flat=True),
    )
    other.all_ids.add(project.gold_user_id)
    assert all(i >= 71_000_000 for i in other.all_ids), sorted(other.all_ids)
    return other


@pytest.fixture
def url_routes_list() -> list[UrlRoute]:
    return url_routes()


@pytest.fixture
def request_as(client_as, api_as):
    """A client for one of ROLES: the API client with a token for API routes, else the test
    client with a session."""

    def make(role: str, *, api: bool):
        return api_as(role) if api else client_as(role)

    return make


@pytest.fixture
def route_ids(request, members):
    """``route_ids(role)``: the ids to fill a route with for a request by ``role`` (a coding of
    their own; the annotator's for the outsider and anonymous)."""
    objects = request.getfixturevalue("own_objects")

    def ids(role: str) -> dict:
        codings = objects["annotation_id"]
        return {**objects, "annotation_id": codings.get(role, codings["annotator"])}

    return ids
