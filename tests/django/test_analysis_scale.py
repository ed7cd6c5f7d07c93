"""Analysis at scale (issue 15): the stored word count, the stored full-text vector, the
rewritten frequency and co-occurrence queries (same numbers as the definitions), and the
auto-coded selectors the agreement report and the exports use."""

import importlib
import io

import pytest
from django.apps import apps
from django.db import connection

from annotator import services
from annotator.models import Annotation, Code, CodingProvenance, Document
from annotator.selectors import analysis as sel
from annotator.services.imports import documents_import_txt

pytestmark = pytest.mark.django_db


def code(name):
    return Code.objects.get(name=name)


def coding(doc, user, name, start, end):
    return services.annotation_create(
        document=doc, coder=user, code=code(name), start_offset=start, end_offset=end
    )[0]


def test_it_stores_the_word_count_at_creation_and_import(demo_project):
    # Double spaces, a tab and a trailing line break: the old SQL estimate (spaces + line
    # breaks + 1) would say 9; there are 5 words.
    text = "One  two\tthree\n\nfour  five\n"
    doc = services.document_create(project=demo_project, title="Words", text=text)
    assert doc.word_count == 5
    documents_import_txt(
        project=demo_project, files=[("more.txt", io.BytesIO(b"alpha beta\n gamma"))]
    )
    assert Document.objects.get(title="more").word_count == 3


def test_it_fills_the_word_count_of_existing_documents_in_the_migration(demo_project):
    Document.objects.filter(project=demo_project).update(word_count=None)
    migration = importlib.import_module("annotator.migrations.0009_analysis_scale")
    migration.fill_word_counts(apps, None)
    for text, words in Document.objects.values_list("text", "word_count"):
        assert words == len(text.split())


def test_it_divides_frequencies_by_the_stored_word_count(demo_project, members):
    doc = services.document_create(
        project=demo_project, title="Words", source="wire-x", text="Iran  said\n\nno  again"
    )
    coding(doc, members["annotator"], "Iran", 0, 4)
    table = sel.frequency_table(sel.Scope(project=demo_project), "source")
    assert table.words["wire-x"] == 4
    assert table.cells[(code("Iran").pk, "wire-x")]["per_1000_words"] == 250.0


def test_it_estimates_words_in_sql_for_documents_without_a_count(demo_project, members):
    doc = services.document_create(
        project=demo_project, title="Words", source="wire-y", text="Iran said no"
    )
    Document.objects.filter(pk=doc.pk).update(word_count=None)
    table = sel.frequency_table(sel.Scope(project=demo_project), "source")
    assert table.words["wire-y"] == 3


def test_it_counts_segments_documents_and_characters_per_variable_value(demo_project, members):
    a, b = members["annotator"], members["annotator2"]
    docs = [
        services.document_create(
            project=demo_project,
            title=f"D{i}",
            source="wire" if i < 2 else "paper",
            metadata={"desk": "east" if i % 2 else "west"},
            text=f"Document {i}: Iran talks stalled and Syria waited for the answer.",
        )
        for i in range(3)
    ]
    iran_at = docs[0].text.index("Iran")  # the same in every document
    syria_at = docs[0].text.index("Syria")
    coding(docs[0], a, "Iran", 0, 8)  # "Document"
    coding(docs[0], a, "Iran", iran_at, iran_at + 4)
    coding(docs[0], b, "Iran", iran_at, iran_at + 4)
    coding(docs[1], a, "Iran", iran_at, iran_at + 4)
    coding(docs[2], a, "Iran", iran_at, iran_at + 4)
    coding(docs[2], a, "Syria", syria_at, syria_at + 5)
    iran, syria = code("Iran").pk, code("Syria").pk
    scope = sel.Scope(project=demo_project, document_ids=tuple(d.pk for d in docs))
    table = sel.frequency_table(scope, "source")
    assert table.cells[(iran, "wire")] == {
        "segments": 4,
        "documents": 2,
        "characters": 20,
        "per_1000_words": round(4 * 1000 / (2 * 11), 3),
    }
    assert table.cells[(iran, "paper")]["documents"] == 1
    assert table.cells[(syria, "paper")]["characters"] == 5
    assert table.totals[iran] == {
        "segments": 5,
        "documents": 3,
        "characters": 24,
        "per_1000_words": round(5 * 1000 / 33, 3),
    }
    assert table.documents == {"paper": 1, "wire": 2}
    by_desk = sel.frequency_table(scope, "metadata.desk")
    assert by_desk.cells[(iran, "west")]["segments"] == 4  # documents 0 and 2
    assert by_desk.cells[(iran, "east")]["documents"] == 1
    only_b = sel.frequency_table(
        sel.Scope(project=demo_project, coder_ids=(b.pk,), document_ids=(docs[0].pk,)), "all"
    )
    assert only_b.cells == {
        (iran, "all"): {
            "segments": 1,
            "documents": 1,
            "characters": 4,
            "per_1000_words": round(1000 / 11, 3),
        }
    }


def test_it_keeps_the_search_vector_on_postgresql_only(demo_project):
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "annotator_document")
        }
    assert ("search_vector" in columns) == (connection.vendor == "postgresql")
    doc = services.document_create(
        project=demo_project, title="Fresh", text="Zanzibarian envoys arrived today."
    )
    hits, _ = sel.search_documents(demo_project, "zanzibarian envoys")
    assert [h.document_id for h in hits] == [doc.pk]


def test_it_counts_and_filters_auto_coded_codings(demo_project, members):
    doc = Document.objects.filter(project=demo_project).order_by("pk").first()
    a = members["annotator"]
    by_hand = coding(doc, a, "Iran", 0, 4)
    auto = coding(doc, a, "Iran", 10, 14)
    CodingProvenance.objects.create(annotation=auto, query='text "Iran"')
    codings = Annotation.objects.filter(document__project=demo_project)
    assert sel.auto_coded_count(codings) == {"codings": 2, "auto_coded": 1}
    assert list(codings.filter(sel.auto_coded_q())) == [auto]
    assert list(codings.exclude(sel.auto_coded_q())) == [by_hand]
    assert set(sel.auto_coded_ids(demo_project).values_list("annotation_id", flat=True)) == {
        auto.pk
    }
    assert sel.auto_coded_count(codings.filter(pk=by_hand.pk)) == {"codings": 1, "auto_coded": 0}


def _random_codings(project, coders, *, seed, n=300, spread=400):
    import random

    rng = random.Random(seed)
    docs = list(Document.objects.filter(project=project).order_by("pk")[:3])
    codes = list(Code.objects.filter(codebook_id=project.codebook_id).order_by("pk")[:4])
    rows = {}
    for _ in range(n):
        doc = rng.choice(docs)
        start = rng.randrange(0, min(spread, doc.length - 1))
        # Mostly short codings, some long ones spanning many others; equal starts happen.
        end = start + (rng.randrange(1, 15) if rng.random() < 0.85 else rng.randrange(50, 200))
        key = (doc.pk, rng.choice(coders).pk, rng.choice(codes).pk, start, min(end, doc.length))
        if key[3] < key[4]:
            rows[key] = Annotation(
                document_id=key[0],
                coder_id=key[1],
                code_id=key[2],
                start_offset=key[3],
                end_offset=key[4],
            )
    Annotation.objects.bulk_create(rows.values())
    return [c.pk for c in codes]


def _brute_force(code_ids, mode, distance):
    rows = list(
        Annotation.objects.filter(code_id__in=code_ids).values_list(
            "id", "document_id", "coder_id", "code_id", "start_offset", "end_offset"
        )
    )
    pairs, segments = {}, {}
    for a in rows:
        for b in rows:
            if a[1:3] != b[1:3] or a[3] == b[3]:
                continue
            if mode == "overlap":
                hit = b[4] < a[5] and b[5] > a[4]
            else:
                hit = b[4] <= a[5] + distance and b[5] + distance >= a[4]
            if hit:
                pairs[(a[3], b[3])] = pairs.get((a[3], b[3]), 0) + 1
                segments.setdefault((a[3], b[3]), set()).add(a[0])
    return pairs, {k: len(v) for k, v in segments.items()}


@pytest.mark.parametrize(
    ("mode", "distance", "spread"),
    # Dense codings (long runs of co-occurring codings) and sparse ones (many short runs).
    [
        ("overlap", 0, 400),
        ("near", 0, 400),
        ("near", 7, 400),
        ("overlap", 0, 3000),
        ("near", 5, 3000),
    ],
)
def test_it_counts_cooccurring_pairs_exactly_as_defined(
    demo_project, members, mode, distance, spread
):
    coders = [members["annotator"], members["annotator2"]]
    code_ids = _random_codings(demo_project, coders, seed=15 + distance, spread=spread)
    matrix = sel.cooccurrence(sel.Scope(project=demo_project), code_ids, mode, distance)
    pairs, segments = _brute_force(code_ids, mode, distance)
    assert sum(pairs.values()) > 20  # the data does exercise the query
    assert matrix.pairs == pairs
    assert matrix.segments == segments
    # A matrix cell and the retrieval it links to read the same segments.
    a, b = code_ids[0], code_ids[1]
    op = "and" if mode == "overlap" else "near"
    scope = sel.Scope(
        project=demo_project,
        code_ids=(a,),
        op=op,
        other_code_ids=(b,),
        distance=distance,
    )
    retrieved = sel.codings_in(scope).count()
    assert retrieved == segments.get((a, b), 0)
