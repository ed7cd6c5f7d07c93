from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from annotator import services
from annotator.models import Annotation, Assignment, Code, Curation, Document, GoldProvenance
from annotator.services import workflow


@pytest.fixture
def coders(members):
    return [members["annotator"], members["annotator2"]]


def test_it_assigns_by_hand_idempotently_in_queue_order(demo_project, coders, members):
    d1, d2 = Document.objects.get(pk=3), Document.objects.get(pk=1)
    a = workflow.assignment_create(document=d1, coder=coders[0], assigned_by=members["manager"])
    b = workflow.assignment_create(document=d2, coder=coders[0])
    assert (a.position, b.position) == (0, 1)
    assert workflow.assignment_create(document=d1, coder=coders[0]).pk == a.pk
    assert Assignment.objects.count() == 2


def test_it_refuses_to_assign_a_non_member(demo_project, members):
    with pytest.raises(ValidationError):
        workflow.assignment_create(document=Document.objects.get(pk=1), coder=members["outsider"])
    assert not Assignment.objects.exists()


def assert_balanced(coders) -> None:
    """Every given coder's load, a coder who got nothing counting as 0, within one."""
    got = Counter(Assignment.objects.values_list("coder_id", flat=True))
    loads = [got[c.pk] for c in coders]
    assert max(loads) - min(loads) <= 1, loads


@pytest.mark.parametrize(("n_coders", "k"), [(7, 1), (6, 1), (8, 2), (4, 3), (3, 1)])
def test_auto_assignment_balances_coders_who_get_nothing_too(demo_project, make_user, n_coders, k):
    from annotator.models import Membership

    coders = [make_user(f"c{i}") for i in range(n_coders)]
    for coder in coders:
        Membership.objects.create(user=coder, project=demo_project, role="annotator")
    created = workflow.assignments_auto(project=demo_project, coders=coders, k=k)
    assert len(created) == 5 * k
    assert_balanced(coders)


def test_auto_assignment_balances_on_top_of_existing_assignments(demo_project, coders):
    workflow.assignment_create(document=Document.objects.get(pk=1), coder=coders[0])
    workflow.assignment_create(document=Document.objects.get(pk=2), coder=coders[0])
    workflow.assignments_auto(project=demo_project, coders=coders, k=1)
    assert_balanced(coders)
    assert Assignment.objects.count() == 5


def test_auto_assignment_gives_each_document_k_coders_balanced(demo_project, members, make_user):
    from annotator.models import Membership

    third = make_user("third")
    Membership.objects.create(user=third, project=demo_project, role="annotator")
    coders = [members["annotator"], members["annotator2"], third]
    created = workflow.assignments_auto(project=demo_project, coders=coders, k=2)
    assert len(created) == 10
    per_doc = Counter(Assignment.objects.values_list("document_id", flat=True))
    assert set(per_doc.values()) == {2}
    assert_balanced(coders)
    # Running again adds nothing: every document already has k coders.
    assert workflow.assignments_auto(project=demo_project, coders=coders, k=2) == []


def test_auto_assignment_random_order_is_reproducible_with_a_seed(demo_project, coders):
    workflow.assignments_auto(project=demo_project, coders=coders[:1], k=1, shuffle=True, seed=7)
    first = list(Assignment.objects.order_by("position").values_list("document_id", flat=True))
    Assignment.objects.all().delete()
    workflow.assignments_auto(project=demo_project, coders=coders[:1], k=1, shuffle=True, seed=7)
    again = list(Assignment.objects.order_by("position").values_list("document_id", flat=True))
    assert first == again and sorted(first) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("k", [0, 3, True])
def test_auto_assignment_rejects_a_bad_k(demo_project, coders, k):
    with pytest.raises(ValidationError):
        workflow.assignments_auto(project=demo_project, coders=coders, k=k)
    assert not Assignment.objects.exists()


@pytest.fixture
def coded(demo_project, coders):
    """Two coders on document 1: one agreed Iran span, one boundary disagreement on Syria."""
    document = Document.objects.get(pk=1)
    iran, syria = Code.objects.get(name="Iran"), Code.objects.get(name="Syria")
    for coder in coders:
        services.annotation_create(
            document=document, coder=coder, code=iran, start_offset=10, end_offset=20
        )
    services.annotation_create(
        document=document, coder=coders[0], code=syria, start_offset=30, end_offset=50
    )
    services.annotation_create(
        document=document, coder=coders[1], code=syria, start_offset=35, end_offset=55
    )
    return document


def test_accept_copies_a_coding_into_gold_with_provenance(coded, coders, members):
    source = Annotation.objects.filter(document=coded, code__name="Iran").first()
    gold = workflow.gold_accept(
        document=coded, curator=members["curator"], annotation=source, version=0
    )
    assert gold.coder == coded.project.__class__.objects.get(pk=coded.project_id).gold_user
    assert not gold.coder.is_active
    provenance = GoldProvenance.objects.get(annotation=gold)
    assert provenance.action == "accepted" and provenance.accepted_by == members["curator"]
    assert set(provenance.proposed_by.all()) == set(coders)
    assert Curation.objects.get(document=coded).version == 1


def test_a_stale_edit_is_refused_and_changes_nothing(coded, members):
    source = Annotation.objects.filter(document=coded, code__name="Iran").first()
    workflow.gold_accept(document=coded, curator=members["curator"], annotation=source, version=0)
    before = Annotation.objects.count()
    with pytest.raises(ValidationError, match="changed since you loaded it"):
        workflow.gold_add(
            document=coded,
            curator=members["manager"],
            code=Code.objects.get(name="trade"),
            start_offset=0,
            end_offset=5,
            version=0,
        )
    assert Annotation.objects.count() == before
    assert Curation.objects.get(document=coded).version == 1


def test_accepting_a_coding_of_another_document_is_refused(coded, coders, members):
    other = Document.objects.get(pk=2)
    foreign, _ = services.annotation_create(
        document=other, coder=coders[0], code=Code.objects.get(pk=1), start_offset=0, end_offset=4
    )
    with pytest.raises(ValidationError):
        workflow.gold_accept(
            document=coded, curator=members["curator"], annotation=foreign, version=0
        )
    assert not GoldProvenance.objects.exists()


def test_exact_merge_proposes_only_identical_spans(coded, members):
    created = workflow.gold_merge(
        document=coded, curator=members["curator"], min_coders=2, match="exact", version=0
    )
    assert [(a.code.name, a.start_offset, a.end_offset) for a in created] == [("Iran", 10, 20)]
    assert not created[0].provenance.confirmed


def test_overlap_merge_proposes_the_characters_enough_coders_share(coded, members):
    created = workflow.gold_merge(
        document=coded, curator=members["curator"], min_coders=2, match="overlap", version=0
    )
    spans = sorted((a.code.name, a.start_offset, a.end_offset) for a in created)
    assert spans == [("Iran", 10, 20), ("Syria", 35, 50)]


def test_confirm_adjust_and_reject(coded, members):
    curator = members["curator"]
    (proposal,) = workflow.gold_merge(document=coded, curator=curator, min_coders=2, version=0)
    workflow.gold_confirm(document=coded, curator=curator, annotation=proposal, version=1)
    assert GoldProvenance.objects.get(annotation=proposal).confirmed
    adjusted = workflow.gold_adjust(
        document=coded,
        curator=curator,
        annotation=proposal,
        start_offset=8,
        end_offset=20,
        version=2,
    )
    assert (adjusted.start_offset, adjusted.provenance.action) == (8, "adjusted")
    assert len(adjusted.provenance.proposed_by.all()) == 2
    workflow.gold_reject(document=coded, curator=curator, annotation=adjusted, version=3)
    assert not Annotation.objects.filter(
        coder=coded.project.__class__.objects.get().gold_user
    ).exists()


def test_adjust_rejects_offsets_past_the_text(coded, members):
    (proposal,) = workflow.gold_merge(
        document=coded, curator=members["curator"], min_coders=2, version=0
    )
    pk = proposal.pk
    with pytest.raises(ValidationError):
        workflow.gold_adjust(
            document=coded,
            curator=members["curator"],
            annotation=proposal,
            start_offset=5,
            end_offset=coded.length + 1,
            version=1,
        )
    assert Annotation.objects.filter(pk=pk, start_offset=10, end_offset=20).exists()
    assert Curation.objects.get(document=coded).version == 1


def test_curation_note_must_not_be_empty(coded, members):
    with pytest.raises(ValidationError):
        workflow.curation_note_create(document=coded, author=members["curator"], text="  ")
    note = workflow.curation_note_create(document=coded, author=members["curator"], text="Check §3")
    assert note.text == "Check §3"


def test_a_project_without_assignments_refuses_them_everywhere(demo_project, members, client_as):
    demo_project.uses_assignments = False
    demo_project.save(update_fields=["uses_assignments"])
    document = Document.objects.get(pk=1)
    with pytest.raises(ValidationError, match="does not use assignments"):
        workflow.assignment_create(document=document, coder=members["annotator"])
    with pytest.raises(ValidationError, match="does not use assignments"):
        workflow.assignments_auto(project=demo_project, coders=[members["annotator"]], k=1)
    assert not Assignment.objects.exists()
    page = client_as("manager").get(f"/projects/{demo_project.pk}/").content.decode()
    assert f"/projects/{demo_project.pk}/assignments/" not in page
    assert f"/projects/{demo_project.pk}/progress/" in page
