"""The analysis pages: retrieval (+ downloads), frequencies, co-occurrence, search, memos.

Access matrix for every page, blind coding (an annotator never reads another coder's segment
through any of them), the gold standard, Boolean operators and bad input."""

import csv
import io

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Code, Document, Project
from annotator.services.workflow import gold_user_for

pytestmark = pytest.mark.django_db

PAGES = [
    "analysis",
    "analysis-segments",
    "analysis-frequencies",
    "analysis-cooccurrence",
    "analysis-search",
    "analysis-memos",
    "analysis-autocode",
]


def url(name, project, **params):
    base = reverse(f"annotator:{name}", args=[project.pk])
    if not params:
        return base
    parts = []
    for key, value in params.items():
        for v in value if isinstance(value, list | tuple) else [value]:
            parts.append((key, v))
    from urllib.parse import urlencode

    return base + "?" + urlencode(parts)


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title="Israel, Russia... Are They Friends or Enemies?")


def code(name):
    return Code.objects.get(name=name)


def coding(doc, user, name, start, end, memo=""):
    return services.annotation_create(
        document=doc, coder=user, code=code(name), start_offset=start, end_offset=end, memo=memo
    )[0]


@pytest.fixture
def coded(doc, members):
    """The annotator and annotator2 coded the same document; text chosen by word offsets."""
    text = doc.text
    iran = text.index("Iran") if "Iran" in text else 10
    a = members["annotator"]
    b = members["annotator2"]
    return {
        "mine": coding(doc, a, "Iran", iran, iran + 4, memo="my memo about Iran"),
        "mine_overlap": coding(doc, a, "Syria", iran, iran + 20),
        "theirs": coding(doc, b, "Iran", iran, iran + 4, memo="secret memo of annotator2"),
        "theirs_far": coding(doc, b, "Syria", iran + 200, iran + 230),
    }


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("curator", 200), ("annotator", 200), ("outsider", 404)],
)
def test_it_applies_the_access_matrix(client_as, demo_project, name, role, status):
    assert client_as(role).get(url(name, demo_project)).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_users_to_the_login_page(client_as, demo_project, name):
    response = client_as("anonymous").get(url(name, demo_project))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_retrieves_segments_with_context_grouped_by_document_with_links(
    client_as, demo_project, doc, coded
):
    response = client_as("curator").get(
        url("analysis-segments", demo_project, codes=code("Iran").pk)
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="segment"') == 2
    assert doc.title in body
    assert "my memo about Iran" in body
    workspace = reverse("annotator:document-annotate", args=[demo_project.pk, doc.pk])
    assert f"{workspace}?coder={coded['theirs'].coder_id}#para-" in body


def test_it_never_shows_an_annotator_another_coders_segment_under_blind_coding(
    client_as, demo_project, coded, members
):
    client = client_as("annotator")
    body = client.get(
        url("analysis-segments", demo_project, codes=code("Iran").pk)
    ).content.decode()
    assert "my memo about Iran" in body
    assert "secret memo" not in body
    assert body.count('class="segment"') == 1
    # Naming the other coder is refused.
    other = members["annotator2"].pk
    assert client.get(url("analysis-segments", demo_project, coders=other)).status_code == 400
    download = client.get(
        url("analysis-segments", demo_project, coders=members["annotator"].pk, format="csv")
    )
    content = b"".join(download.streaming_content).decode()
    assert "secret memo" not in content
    memos = client.get(url("analysis-memos", demo_project)).content.decode()
    assert "my memo about Iran" in memos and "secret memo" not in memos
    co = client.get(
        url("analysis-cooccurrence", demo_project, codes=[code("Iran").pk, code("Syria").pk])
    )
    assert co.context["matrix"].counts == {code("Iran").pk: 1, code("Syria").pk: 1}


def test_it_shows_an_annotator_everyone_without_blind_coding(client_as, demo_project, coded):
    Project.objects.filter(pk=demo_project.pk).update(blind_coding=False)
    body = (
        client_as("annotator")
        .get(url("analysis-segments", demo_project, codes=code("Iran").pk))
        .content.decode()
    )
    assert "secret memo" in body


def test_it_combines_codes_with_boolean_operators(client_as, demo_project, coded):
    client = client_as("curator")
    iran, syria = code("Iran").pk, code("Syria").pk

    def ids(**params):
        response = client.get(url("analysis-segments", demo_project, codes=iran, **params))
        assert response.status_code == 200, response.content
        return {s.id for s in response.context["result"].segments}

    # A and B overlap: only the annotator's Iran coding (annotator2's Syria is 200 chars away).
    assert ids(op="and", other=syria) == {coded["mine"].pk}
    assert ids(op="not", other=syria) == {coded["theirs"].pk}
    assert ids(op="near", other=syria, distance=150) == {coded["mine"].pk}
    assert ids(op="near", other=syria, distance=250) == {coded["mine"].pk, coded["theirs"].pk}


def test_it_filters_by_coded_text_and_document_variables(client_as, demo_project, doc, coded):
    client = client_as("curator")
    page = client.get(
        url(
            "analysis-segments",
            demo_project,
            text=doc.text[coded["theirs_far"].start_offset : coded["theirs_far"].end_offset],
        )
    )
    assert {s.id for s in page.context["result"].segments} == {coded["theirs_far"].pk}
    none = client.get(url("analysis-segments", demo_project, source="no such outlet"))
    assert none.context["result"].segments == []


def test_it_downloads_segments_as_csv_markdown_and_html(client_as, demo_project, coded):
    client = client_as("curator")
    csv_response = client.get(
        url("analysis-segments", demo_project, codes=code("Iran").pk, format="csv")
    )
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")))
    )
    assert rows[0][:4] == ["document_id", "document", "code", "coder"]
    assert len(rows) == 3
    md = b"".join(
        client.get(
            url("analysis-segments", demo_project, codes=code("Iran").pk, format="md")
        ).streaming_content
    ).decode()
    assert md.startswith("# Coded segments") and "**Iran**" in md
    html = b"".join(
        client.get(
            url("analysis-segments", demo_project, codes=code("Iran").pk, format="html")
        ).streaming_content
    ).decode()
    assert html.startswith("<!doctype html>") and "<b>Iran</b>" in html


def test_it_refuses_bad_filters_with_a_message(client_as, demo_project):
    client = client_as("curator")
    for params in (
        {"date_from": "2024-02-01", "date_to": "2024-01-01"},
        {"op": "and"},
        {"documents": "abc"},
        {"codes": "999999"},
    ):
        response = client.get(url("analysis-segments", demo_project, **params))
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()


def test_it_counts_frequencies_by_variable(client_as, demo_project, doc, coded):
    response = client_as("curator").get(
        url("analysis-frequencies", demo_project, variable="document", metric="segments")
    )
    assert response.status_code == 200
    table = response.context["table"]
    assert table.cells[(code("Iran").pk, str(doc.pk))]["segments"] == 2
    assert table.cells[(code("Iran").pk, str(doc.pk))]["documents"] == 1
    assert table.cells[(code("Syria").pk, str(doc.pk))]["characters"] == 50
    assert table.cells[(code("Iran").pk, str(doc.pk))]["per_1000_words"] > 0
    assert "<svg" in response.content.decode()
    download = client_as("curator").get(
        url("analysis-frequencies", demo_project, variable="source", format="csv")
    )
    assert b"".join(download.streaming_content).decode("utf-8-sig").startswith("code,source,")


def test_it_counts_frequencies_for_the_gold_standard(client_as, demo_project, doc, coded):
    gold = gold_user_for(demo_project)
    coding(doc, gold, "Iran", 0, 5)
    demo_project.refresh_from_db()
    client = client_as("curator")
    response = client.get(url("analysis-frequencies", demo_project, variable="all", coders=gold.pk))
    assert response.context["table"].totals == {
        code("Iran").pk: {
            "segments": 1,
            "documents": 1,
            "characters": 5,
            "per_1000_words": response.context["table"].totals[code("Iran").pk]["per_1000_words"],
        }
    }
    # Annotators cannot choose the gold standard under blind coding.
    assert (
        client_as("annotator")
        .get(url("analysis-frequencies", demo_project, coders=gold.pk))
        .status_code
        == 400
    )


def test_it_builds_the_cooccurrence_matrix_with_links_to_retrieval(client_as, demo_project, coded):
    iran, syria = code("Iran").pk, code("Syria").pk
    client = client_as("curator")
    response = client.get(url("analysis-cooccurrence", demo_project, codes=[iran, syria]))
    matrix = response.context["matrix"]
    assert matrix.pairs == {(iran, syria): 1, (syria, iran): 1}
    assert matrix.jaccard(iran, syria) == pytest.approx(2 / 4)
    body = response.content.decode()
    assert "<svg" in body and 'class="heatmap"' in body
    href = [cells for _, cells in response.context["rows"]][0][1][2]
    opened = client.get(href.replace("&amp;", "&"))
    assert {s.id for s in opened.context["result"].segments} == {coded["mine"].pk}
    near = client.get(
        url(
            "analysis-cooccurrence",
            demo_project,
            codes=[iran, syria],
            mode="near",
            distance=250,
            measure="jaccard",
        )
    )
    # Same coder only: one overlapping pair each, annotator2's 196 characters apart.
    assert near.context["matrix"].pairs[(iran, syria)] == 2
    para = client.get(
        url("analysis-cooccurrence", demo_project, codes=[iran, syria], mode="paragraph")
    )
    assert para.status_code == 200
    csv_body = b"".join(
        client.get(
            url("analysis-cooccurrence", demo_project, codes=[iran, syria], format="csv")
        ).streaming_content
    ).decode("utf-8-sig")
    assert csv_body.splitlines()[0] == "code,Iran,Syria" or csv_body.splitlines()[0].startswith(
        "code,"
    )


def test_it_searches_the_documents_and_links_at_the_hit(client_as, demo_project, doc):
    client = client_as("annotator")
    word = "Putin" if "Putin" in doc.text else doc.text.split()[5]
    response = client.get(url("analysis-search", demo_project, q=word))
    assert response.status_code == 200
    hits = response.context["hits"]
    assert doc.pk in {h.document_id for h in hits}
    hit = next(h for h in hits if h.document_id == doc.pk)
    assert "<mark>" in hit.snippet_html
    assert hit.link.endswith(f"#para-{doc.text.count(chr(10), 0, doc.text.find(word))}")
    assert client.get(url("analysis-search", demo_project, q="  ")).status_code == 400
    assert (
        client.get(url("analysis-search", demo_project, q="zzqqxxnotthere")).context["hits"] == []
    )


def test_it_escapes_markup_in_search_snippets(client_as, demo_project):
    services.document_create(
        project=demo_project, title="x", text="A <script>alert(1)</script> needle here."
    )
    body = (
        client_as("curator").get(url("analysis-search", demo_project, q="needle")).content.decode()
    )
    assert "<script>alert" not in body
    assert "<mark>needle</mark>" in body


def test_it_lists_and_searches_memos(client_as, demo_project, coded):
    client = client_as("curator")
    response = client.get(url("analysis-memos", demo_project, q="secret"))
    body = response.content.decode()
    assert "secret memo of annotator2" in body and "my memo about Iran" not in body
