"""The agreement selector: constant queries, the missing-data policy, narrowings, fingerprint."""

import datetime as dt

import pytest
from django.utils import timezone

from annotator import services
from annotator.models import Annotation, Assignment, Code, Document
from annotator.selectors.agreement import (
    AgreementNarrowing,
    agreement_data,
    agreement_fingerprint,
    agreement_input,
)


@pytest.fixture
def coded(demo_project, members):
    """annotator and annotator2 finished documents 1 and 2; annotator2 is still on document 3."""
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    docs = {d.pk: d for d in Document.objects.filter(project=demo_project)}
    for coder, doc, code, start, end in [
        ("annotator", 1, "Iran", 0, 10),
        ("annotator2", 1, "Iran", 2, 10),
        ("annotator", 2, "trade", 5, 20),
        ("annotator2", 3, "Syria", 0, 4),
        ("annotator", 1, "Syria", 30, 40),
    ]:
        services.annotation_create(
            document=docs[doc],
            coder=members[coder],
            code=codes[code],
            start_offset=start,
            end_offset=end,
            normalise=False,  # the offsets as given: the test reads them back
        )
    for coder, doc, state in [
        ("annotator", 1, "done"),
        ("annotator2", 1, "done"),
        ("annotator", 2, "done"),
        ("annotator2", 2, "done"),
        ("annotator2", 3, "in_progress"),
    ]:
        services.document_status_set(document=docs[doc], coder=members[coder], state=state)
    return {"codes": codes, "docs": docs}


def by_id(documents):
    return {d.id: d for d in documents}


def test_it_reads_everything_in_a_constant_number_of_queries(
    coded, demo_project, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        documents, codes, coders = agreement_input(project=demo_project)
    assert codes == ["cooperation", "tension", "Iran", "Syria", "trade"]
    assert coders == ["annotator", "annotator2"]
    assert len(documents) == 5
    assert all(d.text is not None and len(d.text) == d.length for d in documents)


def test_it_keeps_the_query_count_when_the_project_grows(
    coded, demo_project, members, django_assert_max_num_queries
):
    code = coded["codes"]["tension"]
    for doc in coded["docs"].values():
        for start in range(0, 50, 5):
            services.annotation_create(
                document=doc, coder=members["curator"], code=code, start_offset=start,
                end_offset=start + 3,
            )  # fmt: skip
        services.document_status_set(document=doc, coder=members["curator"], state="done")
    with django_assert_max_num_queries(5):
        documents, _, coders = agreement_input(project=demo_project)
    assert "curator" in coders
    assert sum(len(d.spans) for d in documents) == Annotation.objects.count()


def test_it_treats_an_unfinished_document_as_missing_for_that_coder(coded, demo_project):
    documents = by_id(agreement_input(project=demo_project)[0])
    assert documents[3].coders == ()  # annotator2 is in progress there: missing, not zeros
    assert documents[1].coders == ("annotator", "annotator2")
    assert documents[4].coders == ()


def test_it_lets_a_finished_coder_who_coded_nothing_contribute_zeros(coded, demo_project):
    documents = by_id(agreement_input(project=demo_project)[0])
    doc2 = documents[2]
    assert doc2.coders == ("annotator", "annotator2")
    assert {s[0] for s in doc2.spans} == {"annotator"}


def test_it_lists_coders_who_only_finished_a_document(demo_project, members):
    doc = Document.objects.get(pk=1)
    services.document_status_set(document=doc, coder=members["annotator"], state="done")
    _, _, coders = agreement_input(project=demo_project)
    assert coders == ["annotator"]


def test_it_keeps_spans_with_code_names_and_offsets(coded, demo_project):
    documents = by_id(agreement_input(project=demo_project)[0])
    assert sorted(documents[1].spans) == [
        ("annotator", 0, 10, "Iran"),
        ("annotator", 30, 40, "Syria"),
        ("annotator2", 2, 10, "Iran"),
    ]


def test_it_narrows_to_documents(coded, demo_project):
    documents, _, coders = agreement_input(project=demo_project, documents=[2])
    assert [d.id for d in documents] == [2]
    assert coders == ["annotator", "annotator2"]


def test_it_narrows_to_coders(coded, demo_project):
    documents, _, coders = agreement_input(project=demo_project, coders=["annotator"])
    assert coders == ["annotator"]
    assert all(s[0] == "annotator" for d in documents for s in d.spans)
    assert by_id(documents)[1].coders == ("annotator",)


def test_it_narrows_to_codes_by_name_or_id(coded, demo_project):
    iran = coded["codes"]["Iran"]
    documents, codes, _ = agreement_input(project=demo_project, codes=[iran.pk, "Syria"])
    assert codes == ["Iran", "Syria"]
    assert {s[3] for d in documents for s in d.spans} == {"Iran", "Syria"}


def test_it_narrows_codings_by_creation_date(coded, demo_project):
    old = timezone.now() - dt.timedelta(days=10)
    Annotation.objects.filter(code__name="Iran").update(created_at=old)
    today = timezone.localdate()
    documents, _, _ = agreement_input(project=demo_project, date_from=today)
    assert {s[3] for d in documents for s in d.spans} == {"Syria", "trade"}
    documents, _, _ = agreement_input(project=demo_project, date_to=today - dt.timedelta(days=5))
    assert {s[3] for d in documents for s in d.spans} == {"Iran"}
    # The date range narrows codings only: who counts for a document does not change.
    assert by_id(documents)[1].coders == ("annotator", "annotator2")


def test_it_requires_an_assignment_once_the_project_uses_them(coded, demo_project, members):
    Assignment.objects.create(document=coded["docs"][1], coder=members["annotator"])
    documents = by_id(agreement_input(project=demo_project)[0])
    assert documents[1].coders == ("annotator",)
    assert documents[2].coders == ()


def test_it_changes_the_fingerprint_when_a_coding_is_added_or_deleted(coded, demo_project, members):
    narrowing = AgreementNarrowing()
    before = agreement_fingerprint(project=demo_project, narrowing=narrowing)
    assert agreement_fingerprint(project=demo_project, narrowing=narrowing) == before
    new = services.annotation_create(
        document=coded["docs"][1],
        coder=members["annotator"],
        code=coded["codes"]["trade"],
        start_offset=50,
        end_offset=60,
    )[0]
    added = agreement_fingerprint(project=demo_project, narrowing=narrowing)
    assert added != before
    new.delete()
    assert agreement_fingerprint(project=demo_project, narrowing=narrowing) != added


def test_it_maps_names_back_to_ids(coded, demo_project, members):
    data = agreement_data(project=demo_project, narrowing=AgreementNarrowing())
    assert data.code_ids["Iran"] == coded["codes"]["Iran"].pk
    assert data.coder_ids["annotator"] == members["annotator"].pk
