"""Curation and team workflow in a real Chromium: merge assistant, confirm, adjust, reject,
live refresh of others' codings, and the refusal of a stale gold-standard edit."""

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation, Code, Document


def _curate(page, document_id=1):
    page.goto(f"/projects/1/documents/{document_id}/curate/")
    expect(page.get_by_role("heading", name="Gold standard")).to_be_visible()


def test_curator_merges_confirms_adjusts_and_rejects(demo, page, login, axe_check, settings):
    settings.ANNOTATOR_POLL_SECONDS = 300  # no refresh in the middle of this test's clicks
    login("cora")
    _curate(page)
    expect(page.locator(".disagreement").first).to_be_visible()
    axe_check()
    page.get_by_label("Merge assistant: codings on which at least").fill("2")
    page.get_by_label("coders agree, matching").select_option("overlap")
    page.get_by_role("button", name="Pre-fill").click()
    expect(page.get_by_text("Gold standard version 1")).to_be_visible()
    proposals = page.locator("table.gold tbody tr.unconfirmed")
    expect(proposals.first).to_be_visible()
    count = proposals.count()
    assert count > 0
    proposals.first.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Gold standard version 2")).to_be_visible()
    expect(page.locator("table.gold tbody tr.unconfirmed")).to_have_count(count - 1)
    row = page.locator("table.gold tbody tr").first
    start = int(row.get_by_label("start").input_value())
    row.get_by_label("start").fill(str(start + 1))
    row.get_by_role("button", name="Adjust").click()
    expect(page.get_by_text("Gold standard version 3")).to_be_visible()
    expect(
        page.locator("table.gold").get_by_text("Accepted with adjusted boundaries")
    ).to_be_visible()
    total = page.locator("table.gold tbody tr").count()
    page.locator("table.gold tbody tr").first.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Gold standard version 4")).to_be_visible()
    expect(page.locator("table.gold tbody tr")).to_have_count(total - 1 if total > 1 else 1)
    gold = get_user_model().objects.get(username="gold-standard-1")
    assert Annotation.objects.filter(coder=gold).count() == total - 1


def test_a_stale_edit_is_refused_with_the_current_state(
    demo, page, login, settings, allow_console_error
):
    settings.ANNOTATOR_POLL_SECONDS = 300
    # Chromium logs the deliberate 409 Conflict answer as a console error; only that one.
    allow_console_error.append(r"status of 409 \(Conflict\)")
    login("cora")
    _curate(page)
    expect(page.get_by_text("Gold standard version 0")).to_be_visible()
    # Meanwhile another curator changes the gold standard of the same document.
    from annotator.services import workflow

    admin = get_user_model().objects.get(username="admin")
    workflow.gold_add(
        document=Document.objects.get(pk=1),
        curator=admin,
        code=Code.objects.get(name="trade"),
        start_offset=0,
        end_offset=10,
        version=0,
    )
    page.locator("table.aligned").first.get_by_role("button", name="Accept").first.click()
    expect(page.get_by_role("alert")).to_contain_text("changed since you loaded it")
    expect(page.get_by_text("Gold standard version 1")).to_be_visible()
    gold = get_user_model().objects.get(username="gold-standard-1")
    assert Annotation.objects.filter(coder=gold).count() == 1


def test_others_codings_appear_without_a_reload(demo, page, login, settings):
    settings.ANNOTATOR_POLL_SECONDS = 1
    login("cora")
    _curate(page, document_id=2)
    expect(page.get_by_text("coders: alice, bob")).to_be_visible()
    carol = get_user_model().objects.get(username="carol")
    services.annotation_create(
        document=Document.objects.get(pk=2),
        coder=carol,
        code=Code.objects.get(name="trade"),
        start_offset=0,
        end_offset=6,
    )
    expect(page.get_by_text("coders: alice, bob, carol")).to_be_visible()


def test_manager_assigns_automatically_and_sees_progress(demo, page, login, axe_check):
    login("admin")
    page.goto("/projects/1/assignments/")
    manual = page.locator("form").filter(has=page.get_by_role("heading", name="Assign by hand"))
    manual.get_by_label("Document").select_option("3")
    manual.get_by_label("Coder").select_option(label="carol")
    manual.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned.")).to_be_visible()
    expect(page.get_by_role("heading", name="carol (1 document)")).to_be_visible()
    page.get_by_label("Coders per document").fill("2")
    page.get_by_label("Random order").check()
    page.get_by_label("Seed").fill("11")
    page.get_by_role("button", name="Assign").first.click()
    # Document 3 already has carol, so it needs one more coder: 9 new assignments.
    expect(page.get_by_text("9 assignments made.")).to_be_visible()
    axe_check()
    page.goto("/projects/1/progress/")
    expect(page.get_by_role("heading", name="Annotators")).to_be_visible()
    expect(page.locator("img.chart")).to_be_visible()
    axe_check()
