"""Projects are isolated: nothing of a second project ever shows to a member of the first.

Every route of the URL configuration is tried (a new route is covered without editing this
module), for each member role of the demo project, against ``other_project`` from conftest: a
project with its own members, codebook, documents, codings, memos, assignments and gold
standard, whose texts all contain a marker word and whose ids are unmistakable.
"""

import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from annotator.exports import formats

MEMBER_ROLES = ("manager", "curator", "annotator")
METHODS = ("get", "post", "patch", "delete")


def extra_queries(route_name: str, other) -> list[str]:
    """Query strings tried besides the bare route: filters naming the other project's objects,
    and each export format (a ZIP's members are searched too)."""
    naming_other = [
        f"project={other.project.pk}",
        f"document={other.documents[0].pk}",
        f"coder={other.users['annotator'].pk}",
        f"code={other.codes[0].pk}",
    ]
    exports = [f"format={f}" for f in formats.exportable()] + [
        f"format=csv&documents={other.documents[0].pk}",
        f"format=csv&coders={other.users['annotator'].pk}",
        f"format=csv&codes={other.codes[0].pk}",
    ]
    return {
        "api-annotation-list": naming_other,
        "api-document-list": [f"search={other.documents[0].title}"],
        "api-export": exports,
        "annotator:project-export-download": exports,
        "annotator:document-annotate": [f"coder={other.users['annotator'].pk}", "coder=all"],
        "annotator:annotation-panel": [f"coder={other.users['annotator'].pk}", "coder=all"],
        "annotator:agreement-report": [f"coders={other.users['annotator'].pk}"],
        "annotator:agreement-results": [
            f"bootstrap=20&documents={other.documents[0].pk}",
            "bootstrap=20&gold=1",
        ],
    }.get(route_name, [])


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def rolled_back(client, method: str, url: str):
    """A request whose writes are undone, to compare with the same request on other ids."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        body(response)
        transaction.set_rollback(True)
    return response


def own_ids(own_objects, role: str) -> dict:
    return {**own_objects, "annotation_id": own_objects["annotation_id"][role]}


def snapshot() -> dict:
    """Row counts of every table the application writes."""
    models = [*apps.get_app_config("annotator").get_models(), get_user_model()]
    return {model.__name__: model.objects.count() for model in models}


def test_it_never_shows_another_projects_objects(
    app_route, client, members, own_objects, other_project
):
    failures = []
    for role in MEMBER_ROLES:
        client.force_login(members[role])
        url = app_route.url(own_ids(own_objects, role))
        for query in ["", *extra_queries(app_route.name.removeprefix("api:"), other_project)]:
            target = f"{url}?{query}" if query else url
            response = client.get(target)
            # An id the request itself names may be echoed in an error message; that reveals
            # nothing (the message is the one for an id that does not exist).
            echoed = {int(n) for n in re.findall(r"\d+", query)}
            leaks = other_project.leaks(body(response), ignore=echoed)
            if leaks:
                failures.append(f"{role} GET {target} ({response.status_code}) shows {leaks}")
    assert not failures, "\n".join(failures)


def test_it_answers_404_for_another_projects_objects(
    id_route, client, members, own_objects, other_project
):
    """All ids from the other project, or the demo project's with one id swapped for the other
    project's: 404 (405 for a method the route does not take; 403 where the role may not use
    the route even on its own project's objects), and nothing changes."""
    before = snapshot()
    failures = []
    for role in MEMBER_ROLES:
        client.force_login(members[role])
        mine = own_ids(own_objects, role)
        variants = [other_project.ids] + [
            {**mine, param: other_project.ids[param]}
            for param in id_route.id_params
            # A version number counts within its project: only the project id scopes it.
            if param not in ("project_id", "number") and "project_id" in id_route.id_params
        ]
        for ids in variants:
            url = id_route.url(ids)
            for method in METHODS:
                expected = {404, 405}
                if rolled_back(client, method, id_route.url(mine)).status_code == 403:
                    expected.add(403)
                response = getattr(client, method)(url)
                leaks = other_project.leaks(body(response))
                if response.status_code not in expected or leaks:
                    failures.append(
                        f"{role} {method.upper()} {url} answered {response.status_code} {leaks}"
                    )
    assert not failures, "\n".join(failures)
    assert snapshot() == before
