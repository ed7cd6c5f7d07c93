"""Auto-code by search: preview stores nothing, review stores only accepted hits with their
provenance, bad patterns (invalid, catastrophic backtracking) are refused and change nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Code, CodingProvenance, Document, Project
from annotator.services import autocode
from annotator.services.autocode import AutocodeQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(demo_project):
    services.document_create(
        project=demo_project,
        title="Sanctions",
        text="Iran talks stalled. Iranian officials met Russia.\nIran, again, said no.",
    )
    return demo_project


def iran():
    return Code.objects.get(name="Iran")


def page(project):
    return reverse("annotator:analysis-autocode", args=[project.pk])


def test_it_previews_hits_without_storing_anything(client_as, project, row_counts):
    before = row_counts()
    response = client_as("annotator").get(
        page(project), {"code": iran().pk, "query": "Iran", "whole_words": "on"}
    )
    assert response.status_code == 200
    hits = [h for h in response.context["hits"] if h.document_title == "Sanctions"]
    assert [h.text for h in hits] == ["Iran", "Iran"]  # not "Iranian"
    assert row_counts() == before
    assert CodingProvenance.objects.count() == 0


def test_it_extends_hits_to_the_sentence_or_paragraph(project, members):
    doc = Document.objects.get(title="Sanctions")
    for extend, expected in (
        ("sentence", ["Iran talks stalled.", "Iran, again, said no."]),
        (
            "paragraph",
            ["Iran talks stalled. Iranian officials met Russia.", "Iran, again, said no."],
        ),
    ):
        hits, _ = autocode.autocode_preview(
            project=project,
            code=iran(),
            coder=members["annotator"],
            query=AutocodeQuery("Iran", whole_words=True, extend=extend),
        )
        assert [h.text for h in hits if h.document_id == doc.pk] == expected


def test_it_stores_only_accepted_hits_with_their_provenance(client_as, project, members):
    client = client_as("annotator")
    params = {"code": iran().pk, "query": "Iran", "whole_words": "on"}
    hits = client.get(page(project), params).context["hits"]
    doc = Document.objects.get(title="Sanctions")
    numbers = [i for i, h in enumerate(hits, 1) if h.document_id == doc.pk]
    post = dict(params)
    for n, h in enumerate(hits, 1):
        post |= {f"doc-{n}": h.document_id, f"start-{n}": h.start, f"end-{n}": h.end}
    # Accept the first hit as is and the second with an adjusted end; reject every other.
    second = hits[numbers[1] - 1]
    post[f"end-{numbers[1]}"] = second.end + 7  # "Iran, again" (adjusted)
    post["accept"] = numbers
    response = client.post(
        page(project) + "?" + "&".join(f"{k}={v}" for k, v in params.items()), post
    )
    assert response.status_code == 302
    stored = Annotation.objects.filter(coder=members["annotator"], code=iran()).order_by(
        "start_offset"
    )
    assert [doc.text[a.start_offset : a.end_offset] for a in stored] == ["Iran", "Iran, again"]
    assert {a.document_id for a in stored} == {doc.pk}
    provenance = CodingProvenance.objects.filter(annotation__in=stored)
    assert provenance.count() == 2
    assert {p.query for p in provenance} == {'text "Iran" (whole words)'}
    assert {p.source for p in provenance} == {"auto-code"}


def test_it_leaves_no_trace_of_rejected_hits(client_as, project, row_counts):
    before = row_counts()
    response = client_as("annotator").post(page(project), {"code": iran().pk, "query": "Iran"})
    assert response.status_code == 400
    assert "Accept at least one hit" in response.content.decode()
    assert row_counts() == before


def test_it_does_not_mark_a_hand_made_coding_as_auto_coded(project, members):
    doc = Document.objects.get(title="Sanctions")
    services.annotation_create(
        document=doc, coder=members["annotator"], code=iran(), start_offset=0, end_offset=4
    )
    created = autocode.autocode_apply(
        project=project,
        code=iran(),
        coder=members["annotator"],
        query=AutocodeQuery("Iran"),
        items=[{"document": doc.pk, "start_offset": 0, "end_offset": 4}],
    )
    assert created == 0
    assert CodingProvenance.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": "(unclosed", "regex": "on"}, "Not a valid regular expression"),
        ({"query": r"(\w+\s?)+$", "regex": "on"}, "took longer than"),
        ({"query": "   "}, "Enter text or a regular expression"),
    ],
)
def test_it_refuses_bad_patterns_with_a_clear_message(
    client_as, project, row_counts, params, message
):
    Document.objects.filter(title="Sanctions").delete()
    services.document_create(project=project, title="Long", text="word " * 4000 + "!")
    before = row_counts()
    response = client_as("annotator").get(page(project), {"code": iran().pk, **params})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert row_counts() == before


def test_it_refuses_documents_and_codes_of_other_projects(project, members, make_user):
    other = Project.objects.create(name="Other", codebook=project.codebook)
    foreign = services.document_create(project=other, text="Iran elsewhere.")
    with pytest.raises(ValidationError) as error:
        autocode.autocode_apply(
            project=project,
            code=iran(),
            coder=members["annotator"],
            query=AutocodeQuery("Iran"),
            items=[{"document": foreign.pk, "start_offset": 0, "end_offset": 4}],
        )
    assert "items.0.document" in error.value.message_dict
    assert Annotation.objects.count() == 0


def test_it_refuses_auto_coding_to_outsiders(client_as, project):
    assert (
        client_as("outsider").get(page(project), {"code": iran().pk, "query": "Iran"}).status_code
        == 404
    )
