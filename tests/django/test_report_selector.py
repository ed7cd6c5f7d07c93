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


def test_a_date_range_selects_documents_by_the_day_each_coder_marked_them_done(
    coded, demo_project, members
):
    """The date range narrows (document, coder) pairs, never single codings: a coder who
    finished a document outside the range is missing for it (not a coder with zeros), and a
    coder who finished it inside keeps every coding of it, however old."""
    from annotator.models import DocumentStatus

    old = timezone.now() - dt.timedelta(days=10)
    today = timezone.localdate()
    Annotation.objects.update(created_at=old)  # codings made long before: all still count
    DocumentStatus.objects.filter(coder=members["annotator2"], document_id=1).update(updated_at=old)
    documents = by_id(agreement_input(project=demo_project, date_from=today)[0])
    assert documents[1].coders == ("annotator",)  # annotator2 finished it before: missing
    assert documents[2].coders == ("annotator", "annotator2")
    assert sorted(s for s in documents[1].spans if s[0] == "annotator") == [
        ("annotator", 0, 10, "Iran"),
        ("annotator", 30, 40, "Syria"),
    ]
    until = agreement_input(project=demo_project, date_to=today - dt.timedelta(days=5))
    assert [(d.id, d.coders) for d in until[0] if d.coders] == [(1, ("annotator2",))]
    assert until[2] == ["annotator2"]


def test_a_date_range_never_turns_codings_into_zeros(coded, demo_project, members):
    """Demo of the old bug: codings made before the range used to be dropped while their
    coders still counted, so identical codings read as disagreement (kappa 0). Now the
    report of the narrowed range equals the report of the documents finished in it."""
    from annotator.agreement import compute_report
    from annotator.models import DocumentStatus

    old = timezone.now() - dt.timedelta(days=10)
    Annotation.objects.filter(document_id=2).update(created_at=old)
    services.annotation_create(
        document=coded["docs"][2],
        coder=members["annotator2"],
        code=coded["codes"]["trade"],
        start_offset=5,
        end_offset=20,
    )
    Annotation.objects.filter(document_id=2).update(created_at=old)
    DocumentStatus.objects.filter(document_id=1).update(updated_at=old)
    data = agreement_data(
        project=demo_project, narrowing=AgreementNarrowing(date_from=timezone.localdate())
    )
    report = compute_report(data.documents, codes=data.codes, coders=data.coders, bootstrap=0)
    assert report.counts.documents_used == 1
    assert report.overall.cohen_kappa_mean.value == 1.0  # identical codings of document 2
    assert report.overall.unitized_alpha.value == 1.0
    assert any("marked it done on or after" in sentence for sentence in data.narrowing)


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
