import csv
import io

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Assignment, Code, CurationNote, Document
from annotator.selectors.workflow import activity_fingerprint
from annotator.services import workflow

ROLES = ["manager", "curator", "annotator", "outsider", "anonymous"]
MANAGER_ONLY = {"manager": 200, "curator": 403, "annotator": 403, "outsider": 404, "anonymous": 302}
CURATORS = {"manager": 200, "curator": 200, "annotator": 403, "outsider": 404, "anonymous": 302}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name",
    [
        "annotator:assignments",
        "annotator:progress",
        "annotator:progress-csv",
        "annotator:progress-chart",
    ],
)
def test_manager_pages_access_matrix(client_as, demo_project, role, name):
    response = client_as(role).get(reverse(name, args=[demo_project.pk]))
    assert response.status_code == MANAGER_ONLY[role]


@pytest.mark.parametrize("role", ROLES)
def test_curation_page_access_matrix(client_as, demo_project, role):
    response = client_as(role).get(reverse("annotator:curate", args=[demo_project.pk, 1]))
    assert response.status_code == CURATORS[role]


@pytest.mark.parametrize("role", ROLES)
def test_curation_actions_access_matrix(client_as, demo_project, members, role):
    client = client_as(role)
    response = client.post(
        reverse("annotator:curate-action", args=[demo_project.pk, 1, "add"]),
        {"version": 0, "code": 1, "start_offset": 0, "end_offset": 5},
    )
    expected = {"manager": 302, "curator": 302, "annotator": 403, "outsider": 404, "anonymous": 302}
    assert response.status_code == expected[role]
    gold = Annotation.objects.filter(coder__username__startswith="gold-standard").count()
    assert gold == (1 if role in ("manager", "curator") else 0)


def test_manual_and_automatic_assignment_through_the_page(client_as, demo_project, members):
    client = client_as("manager")
    url = reverse("annotator:assignments", args=[demo_project.pk])
    response = client.post(
        url, {"kind": "manual", "manual-document": 2, "manual-coder": members["annotator"].pk}
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(document_id=2, coder=members["annotator"]).exists()
    response = client.post(
        url,
        {
            "kind": "auto",
            "auto-coders": [members["annotator"].pk, members["annotator2"].pk],
            "auto-k": 2,
            "auto-shuffle": "on",
            "auto-seed": 3,
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.count() == 10
    page = client.get(url).content.decode()
    assert page.count("remove</button>") == 10


def test_assignment_page_shows_form_errors_inline(client_as, demo_project, members):
    client = client_as("manager")
    url = reverse("annotator:assignments", args=[demo_project.pk])
    response = client.post(
        url, {"kind": "auto", "auto-coders": [members["annotator"].pk], "auto-k": 2}
    )
    assert response.status_code == 400
    assert "k must be between 1 and the number of coders" in response.content.decode()
    response = client.post(
        url, {"kind": "manual", "manual-document": 1, "manual-coder": members["outsider"].pk}
    )
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_assignment_delete_is_scoped_to_the_project(client_as, demo_project, members):
    assignment = workflow.assignment_create(
        document=Document.objects.get(pk=1), coder=members["annotator"]
    )
    client = client_as("manager")
    url = reverse("annotator:assignment-delete", args=[demo_project.pk, assignment.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Assignment.objects.exists()
    assert (
        client.post(reverse("annotator:assignment-delete", args=[demo_project.pk, 999])).status_code
        == 404
    )


def test_progress_dashboard_counts_and_csv(client_as, demo_project, members):
    annotator = members["annotator"]
    document = Document.objects.get(pk=1)
    workflow.assignment_create(document=document, coder=annotator)
    workflow.assignment_create(document=Document.objects.get(pk=2), coder=annotator)
    services.annotation_create(
        document=document,
        coder=annotator,
        code=Code.objects.get(pk=1),
        start_offset=0,
        end_offset=5,
    )
    services.document_status_set(document=document, coder=annotator, state="done")
    client = client_as("manager")
    body = client.get(reverse("annotator:progress", args=[demo_project.pk])).content.decode()
    assert "1 of 2 assigned" in body and "50%" in body
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("annotator:progress-csv", args=[demo_project.pk])
                ).content.decode()
            )
        )
    )
    mine = [r for r in rows if r["coder"] == "annotator" and r["document_id"] == "1"][0]
    assert mine == {
        "document_id": "1",
        "title": document.display_title,
        "coder": "annotator",
        "assigned": "1",
        "status": "done",
        "codings": "1",
    }
    chart = client.get(reverse("annotator:progress-chart", args=[demo_project.pk]))
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content


def test_progress_poll_answers_204_when_nothing_changed(client_as, demo_project, members):
    client = client_as("manager")
    url = reverse("annotator:progress", args=[demo_project.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="progress-live"' in first.content.decode()
    assert "<html" not in first.content.decode()
    seen = activity_fingerprint(project=demo_project)
    assert f"seen={seen}".replace(" ", "%20").replace(":", "%3A") in first.content.decode()
    assert client.get(url, {"seen": seen}, headers={"HX-Request": "true"}).status_code == 204
    services.annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator"],
        code=Code.objects.get(pk=1),
        start_offset=0,
        end_offset=5,
    )
    again = client.get(url, {"seen": seen}, headers={"HX-Request": "true"})
    assert again.status_code == 200


@pytest.fixture
def coded(demo_project, members):
    document = Document.objects.get(pk=1)
    for coder, start in ((members["annotator"], 10), (members["annotator2"], 12)):
        services.annotation_create(
            document=document,
            coder=coder,
            code=Code.objects.get(name="Iran"),
            start_offset=start,
            end_offset=30,
        )
    return document


def test_curation_page_aligns_codings_and_marks_disagreements(client_as, coded):
    body = (
        client_as("curator")
        .get(reverse("annotator:curate", args=[coded.project_id, coded.pk]))
        .content.decode()
    )
    assert "Disagreements (1)" in body
    assert "[10, 12): applied by annotator; not by annotator2" in body
    assert "annotator [10, 30); annotator2 [12, 30)" in body


def test_curation_accept_via_htmx_returns_the_panel(client_as, coded):
    client = client_as("curator")
    source = Annotation.objects.filter(document=coded).first()
    response = client.post(
        reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "accept"]),
        {"version": 0, "annotation": source.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="curation-panel"' in body and "<html" not in body
    assert "Gold standard version 1" in body and "proposed by annotator" in body
    assert response["HX-Trigger"] == "annotationsChanged"


def test_a_stale_curation_edit_answers_409_with_the_current_state(client_as, coded):
    client = client_as("curator")
    source = Annotation.objects.filter(document=coded).first()
    url = reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "accept"])
    client.post(url, {"version": 0, "annotation": source.pk})
    before = Annotation.objects.count()
    response = client.post(
        reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "add"]),
        {"version": 0, "code": 1, "start_offset": 0, "end_offset": 3},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed since you loaded it" in body and "Gold standard version 1" in body
    assert Annotation.objects.count() == before


def test_curation_refuses_a_coding_of_another_project(client_as, coded, make_user):
    from annotator.models import Codebook, Membership, Project

    other_book = Codebook.objects.create(name="Other book")
    other = Project.objects.create(name="Other", codebook=other_book)
    doc = services.document_create(project=other, text="Some other text here.")
    code = Code.objects.create(codebook=other_book, name="x")
    stranger = make_user("stranger")
    Membership.objects.create(user=stranger, project=other, role="annotator")
    foreign, _ = services.annotation_create(
        document=doc, coder=stranger, code=code, start_offset=0, end_offset=4
    )
    response = client_as("curator").post(
        reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "accept"]),
        {"version": 0, "annotation": foreign.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert not Annotation.objects.filter(coder__username__startswith="gold-standard").exists()


def test_curation_notes(client_as, coded):
    client = client_as("curator")
    url = reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "note"])
    assert client.post(url, {"text": "Boundary rule: whole clause."}).status_code == 302
    assert CurationNote.objects.get().text == "Boundary rule: whole clause."
    response = client.post(url, {"text": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and CurationNote.objects.count() == 1


def test_curation_poll_answers_204_until_someone_codes(client_as, coded, members):
    client = client_as("curator")
    url = reverse("annotator:curate", args=[coded.project_id, coded.pk])
    assert client.get(url).status_code == 200
    seen = activity_fingerprint(project=coded.project, document=coded)
    assert client.get(url, {"seen": seen}, headers={"HX-Request": "true"}).status_code == 204
    services.annotation_create(
        document=coded,
        coder=members["annotator"],
        code=Code.objects.get(name="trade"),
        start_offset=40,
        end_offset=50,
    )
    response = client.get(url, {"seen": seen}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "trade" in response.content.decode()


def test_unknown_curation_action_is_404(client_as, coded):
    response = client_as("curator").post(
        reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "explode"]),
        {"version": 0},
    )
    assert response.status_code == 404


def test_project_page_lists_my_queue_in_order_and_next_follows_it(
    client_as, demo_project, members, django_assert_max_num_queries
):
    annotator = members["annotator"]
    for pk in (4, 2, 5):
        workflow.assignment_create(document=Document.objects.get(pk=pk), coder=annotator)
    client = client_as("annotator")
    with django_assert_max_num_queries(12):
        body = client.get(
            reverse("annotator:project-detail", args=[demo_project.pk])
        ).content.decode()
    queue = body[body.index("Your queue") : body.index("</ol>", body.index("Your queue"))]
    assert (
        queue.index("/documents/4/") < queue.index("/documents/2/") < queue.index("/documents/5/")
    )
    assert "/documents/1/" not in queue
    nxt = client.get(reverse("annotator:document-next", args=[demo_project.pk, 4]))
    assert nxt["Location"].endswith("/documents/2/")
    services.document_status_set(document=Document.objects.get(pk=2), coder=annotator, state="done")
    nxt = client.get(reverse("annotator:document-next", args=[demo_project.pk, 4]))
    assert nxt["Location"].endswith("/documents/5/")
    services.document_status_set(document=Document.objects.get(pk=5), coder=annotator, state="done")
    services.document_status_set(document=Document.objects.get(pk=4), coder=annotator, state="done")
    nxt = client.get(reverse("annotator:document-next", args=[demo_project.pk, 4]))
    assert nxt["Location"] == reverse("annotator:project-detail", args=[demo_project.pk])


def test_project_page_links_tools_by_role(client_as, demo_project):
    manager = (
        client_as("manager").get(reverse("annotator:project-detail", args=[1])).content.decode()
    )
    assert "/projects/1/assignments/" in manager and "/curate/" in manager
    curator = (
        client_as("curator").get(reverse("annotator:project-detail", args=[1])).content.decode()
    )
    assert "/projects/1/assignments/" not in curator and "/curate/" in curator
    annotator = (
        client_as("annotator").get(reverse("annotator:project-detail", args=[1])).content.decode()
    )
    assert "/curate/" not in annotator and "Your queue" not in annotator


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "qdpx", "brat", "archive"])
def test_the_gold_standard_appears_in_every_export_format(client_as, coded, fmt):
    source = Annotation.objects.filter(document=coded).first()
    client = client_as("curator")
    client.post(
        reverse("annotator:curate-action", args=[coded.project_id, coded.pk, "accept"]),
        {"version": 0, "annotation": source.pk},
    )
    response = client.get(
        reverse("annotator:project-export-download", args=[coded.project_id]), {"format": fmt}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt in ("qdpx", "brat"):
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(body))
        body = b"".join(archive.read(name) for name in archive.namelist())
        body += "".join(archive.namelist()).encode()
    assert b"gold-standard-1" in body


def test_curation_and_the_drill_down_show_the_same_disagreements(
    client_as, demo_project, members, make_user
):
    """One sweep (annotator.spans) behind both pages: for the same coders, the same runs.

    ``silent`` finished the document without coding anything: both pages count them (the old
    curation page left them out and so missed every run the other two agreed on)."""
    from annotator.models import Membership

    silent = make_user("silent")
    Membership.objects.create(user=silent, project=demo_project, role="annotator")
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    doc = Document.objects.get(pk=1)
    for coder, name, start, end in [
        ("annotator", "Iran", 12, 40),
        ("annotator2", "Iran", 15, 40),
        ("annotator", "trade", 100, 110),
        ("annotator", "trade", 110, 120),  # touching: one stretch with the one before
        ("annotator2", "trade", 100, 120),
        ("annotator2", "Syria", 50, 60),
    ]:
        services.annotation_create(
            document=doc, coder=members[coder], code=codes[name], start_offset=start,
            end_offset=end, normalise=False,
        )  # fmt: skip
    for user in (members["annotator"], members["annotator2"], silent):
        services.document_status_set(document=doc, coder=user, state="done")
    client = client_as("curator")
    curation = client.get(reverse("annotator:curate", args=[demo_project.pk, doc.pk]))
    drill = client.get(reverse("annotator:agreement-document", args=[demo_project.pk, doc.pk]))
    on_curation = sorted(
        (d.code.name, d.start, d.end, tuple(d.coders_with), tuple(d.coders_without))
        for d in curation.context["curation"]["disagreements"]
    )
    on_drill = sorted(
        (d.code, d.start, d.end, tuple(c for c, _ in d.marked_by), d.not_marked_by)
        for d in drill.context["disagreements"]
    )
    assert on_curation == on_drill
    assert ("Iran", 15, 40, ("annotator", "annotator2"), ("silent",)) in on_curation
    assert ("trade", 100, 120, ("annotator", "annotator2"), ("silent",)) in on_curation
    assert len(on_curation) == 4  # Iran [12, 15) and [15, 40), trade, Syria
