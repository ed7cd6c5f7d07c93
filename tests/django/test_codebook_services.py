"""The codebook editor's services: edits with an audit trail, merge, split, versions."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.models import Annotation, Code, CodebookChange, CodebookVersion, Document
from annotator.selectors.exports import code_paths
from annotator.services import annotation_bulk_create, annotation_create
from annotator.services import codebooks as cb


@pytest.fixture
def book(demo_project):
    return demo_project.codebook


@pytest.fixture
def manager(members):
    return members["manager"]


def code(name, parent=None):
    return Code.objects.get(name=name, parent=parent)


def test_names_are_unique_among_siblings_not_across_the_codebook(book, manager):
    israel = cb.code_add(codebook=book, user=manager, data={"name": "Israel"})
    russia = cb.code_add(codebook=book, user=manager, data={"name": "Russia"})
    a = cb.code_add(codebook=book, user=manager, data={"name": "positive", "parent": israel})
    b = cb.code_add(codebook=book, user=manager, data={"name": "positive", "parent": russia})
    paths = code_paths(book.pk)
    assert (paths[a.pk], paths[b.pk]) == ("Israel/positive", "Russia/positive")
    with pytest.raises(ValidationError, match="already exists at this level"):
        cb.code_add(codebook=book, user=manager, data={"name": "positive", "parent": israel})
    with pytest.raises(ValidationError, match="already exists at this level"):
        cb.code_add(codebook=book, user=manager, data={"name": "Iran"})
    # The database holds the rule too, at the top level (NULL parent) and among siblings.
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(codebook=book, name="Iran")
    with pytest.raises(IntegrityError), transaction.atomic():
        Code.objects.create(codebook=book, name="positive", parent=israel)


def test_it_refuses_a_slash_in_a_name_and_changes_nothing(book, manager):
    before = CodebookChange.objects.count(), Code.objects.count()
    with pytest.raises(ValidationError, match="cannot contain “/”"):
        cb.code_add(codebook=book, user=manager, data={"name": "a/b"})
    with pytest.raises(ValidationError, match="cannot contain “/”"):
        cb.code_edit(code=code("Iran"), user=manager, data={"name": "Iran/Syria"})
    assert (CodebookChange.objects.count(), Code.objects.count()) == before
    assert code("Iran").name == "Iran"


def test_an_edit_records_who_what_and_the_state_before_and_after(book, manager):
    cb.code_edit(
        code=code("Iran"),
        user=manager,
        data={"name": "Iran (state)", "color": "#112233", "definition": "**bold**"},
    )
    change = CodebookChange.objects.get()
    assert (change.user, change.action, change.version) == (manager, "edit", None)
    assert change.before["name"] == "Iran" and change.after["name"] == "Iran (state)"
    assert change.after["color"] == "#112233" and change.code.name == "Iran (state)"
    # An edit that changes nothing records nothing.
    cb.code_edit(code=change.code, user=manager, data={"color": "#112233"})
    assert CodebookChange.objects.count() == 1


def test_nesting_and_un_nesting_go_through_the_hierarchy_rules(book, manager):
    syria = cb.code_edit(code=code("Syria"), user=manager, data={"parent": code("Iran")})
    assert syria.path == "Iran/Syria"
    with pytest.raises(ValidationError, match="under itself"):
        cb.code_edit(code=code("Iran"), user=manager, data={"parent": syria})
    assert cb.code_edit(code=syria, user=manager, data={"parent": None}).path == "Syria"


def test_unknown_fields_are_refused(book, manager):
    with pytest.raises(ValidationError) as exc:
        cb.code_edit(code=code("Iran"), user=manager, data={"codebook": 2})
    assert "codebook" in exc.value.message_dict


def test_move_up_and_down_swaps_with_the_neighbour(book, manager):
    names = lambda: list(  # noqa: E731
        Code.objects.filter(codebook=book, parent=None).order_by("order", "name")
    )
    first, second = names()[0], names()[1]
    cb.code_move(code=second, user=manager, direction="up")
    assert names()[:2] == [second, first]
    with pytest.raises(ValidationError, match="already the first"):
        cb.code_move(code=second, user=manager, direction="up")
    last = names()[-1]
    with pytest.raises(ValidationError, match="already the last"):
        cb.code_move(code=last, user=manager, direction="down")
    assert CodebookChange.objects.filter(action="move").count() == 1


def _coding(document_id, coder, code_, start, end, memo=""):
    document = Document.objects.get(pk=document_id)
    return annotation_create(
        document=document, coder=coder, code=code_, start_offset=start, end_offset=end, memo=memo
    )[0]


def test_merge_moves_codings_and_collapses_duplicates_joining_memos(book, manager, members):
    coder = members["annotator"]
    iran, syria = code("Iran"), code("Syria")
    twin_source = _coding(1, coder, iran, 0, 5, memo="from Iran")
    twin_target = _coding(1, coder, syria, 0, 5, memo="from Syria")
    only_source = _coding(1, coder, iran, 6, 9)
    child = cb.code_add(codebook=book, user=manager, data={"name": "nuclear", "parent": iran})
    result = cb.code_merge(source=iran, target=syria, user=manager)
    assert result == {"moved": 1, "collapsed": 1}
    assert not Code.objects.filter(pk=iran.pk).exists()
    assert not Annotation.objects.filter(pk=twin_source.pk).exists()
    twin_target.refresh_from_db()
    assert twin_target.memo == "from Syria\n\nfrom Iran"
    only_source.refresh_from_db()
    assert only_source.code == syria
    child.refresh_from_db()
    assert child.path == "Syria/nuclear"
    change = CodebookChange.objects.get(action="merge")
    assert change.code_path == "Iran → Syria" and change.after["collapsed"] == 1


def test_merge_refuses_a_sub_code_or_itself_and_changes_nothing(book, manager, members):
    iran = code("Iran")
    child = cb.code_add(codebook=book, user=manager, data={"name": "nuclear", "parent": iran})
    _coding(1, members["annotator"], iran, 0, 5)
    with pytest.raises(ValidationError, match="own sub-codes"):
        cb.code_merge(source=iran, target=child, user=manager)
    with pytest.raises(ValidationError, match="another code"):
        cb.code_merge(source=iran, target=iran, user=manager)
    assert Annotation.objects.get().code == iran


def test_a_code_with_codings_is_never_deleted(book, manager, members):
    iran = code("Iran")
    _coding(1, members["annotator"], iran, 0, 5)
    with pytest.raises(ValidationError, match="merge it into another code or deactivate"):
        cb.code_delete(code=iran, user=manager)
    assert Code.objects.filter(pk=iran.pk).exists()
    cb.code_delete(code=code("trade"), user=manager)
    assert CodebookChange.objects.get(action="delete").before["name"] == "trade"


def test_split_moves_the_selected_codings_to_a_new_sibling(book, manager, members):
    coder = members["annotator"]
    iran = code("Iran")
    keep = _coding(1, coder, iran, 0, 5)
    move = _coding(1, coder, iran, 6, 9)
    new, moved = cb.code_split(
        code=iran, user=manager, name="Iran (nuclear)", annotation_ids=[move.pk]
    )
    assert moved == 1 and new.color == iran.color and new.parent_id == iran.parent_id
    move.refresh_from_db()
    keep.refresh_from_db()
    assert (move.code, keep.code) == (new, iran)


def test_split_refuses_codings_of_another_code(book, manager, members):
    other = _coding(1, members["annotator"], code("Syria"), 0, 5)
    before = Code.objects.count()
    with pytest.raises(ValidationError, match="not codings of this code"):
        cb.code_split(code=code("Iran"), user=manager, name="x", annotation_ids=[other.pk])
    with pytest.raises(ValidationError, match="at least one"):
        cb.code_split(code=code("Iran"), user=manager, name="x", annotation_ids=[])
    assert Code.objects.count() == before


def test_publish_numbers_versions_and_codings_record_the_latest(book, manager, members):
    coder = members["annotator"]
    before_any = _coding(1, coder, code("Iran"), 0, 5)
    assert before_any.codebook_version is None
    v1 = cb.codebook_publish(codebook=book, user=manager, note="first")
    assert (v1.number, v1.published_by) == (1, manager)
    assert {c["path"] for c in v1.snapshot} == {"cooperation", "tension", "Iran", "Syria", "trade"}
    with pytest.raises(ValidationError, match="Nothing to publish"):
        cb.codebook_publish(codebook=book, user=manager, note="again")
    with pytest.raises(ValidationError, match="Say what"):
        cb.codebook_publish(codebook=book, user=manager, note="  ")
    made_v1 = _coding(1, coder, code("Iran"), 6, 9)
    assert made_v1.codebook_version == v1
    cb.code_edit(code=code("Iran"), user=manager, data={"name": "Persia"})
    assert cb.draft_diff(book.pk) == ["Iran is now Persia"]
    v2 = cb.codebook_publish(codebook=book, user=manager, note="renamed")
    assert v2.number == 2 and cb.version_changes(v2) == ["Iran is now Persia"]
    assert CodebookChange.objects.get(action="edit").version == v2
    assert not cb.draft_changes(book.pk).exists()
    batch, _ = annotation_bulk_create(
        document=Document.objects.get(pk=2),
        coder=coder,
        items=[{"code": code("Persia"), "start_offset": 0, "end_offset": 3}],
    )
    assert batch[0].codebook_version == v2
    # Versions are immutable: the snapshot of v1 still says Iran.
    v1.refresh_from_db()
    assert "Iran" in {c["name"] for c in v1.snapshot}


def test_the_migration_publishes_version_one_with_the_codes_of_the_time(book, members):
    migration = importlib.import_module("annotator.migrations.0008_codebook_versions")
    from django.apps import apps

    coding = _coding(1, members["annotator"], code("Iran"), 0, 5)
    migration.publish_first_versions(apps, None)
    version = CodebookVersion.objects.get(codebook=book)
    assert version.number == 1
    assert [c["path"] for c in version.snapshot] == [
        c["path"] for c in cb.codebook_snapshot(book.pk)
    ]
    coding.refresh_from_db()
    assert coding.codebook_version == version


def test_a_taken_shortcut_is_refused_with_a_plain_message(book, manager):
    cb.code_edit(code=code("Iran"), user=manager, data={"shortcut": "q"})
    with pytest.raises(ValidationError, match="has this shortcut key"):
        cb.code_edit(code=code("Syria"), user=manager, data={"shortcut": "q"})
    assert code("Syria").shortcut != "q"
