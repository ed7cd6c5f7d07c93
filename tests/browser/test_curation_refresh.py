"""The curation page's live refresh never erases what the curator is typing, yet still shows
other coders' new codings; an action keeps the half-written fields of the other forms."""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from annotator import services
from annotator.models import Code, CurationNote, Document


def _poll(response) -> bool:
    return response.request.method == "GET" and re.search(r"/curate/\?seen=", response.url)


def test_live_refresh_keeps_a_half_written_note_and_shows_new_codings(demo, page, login, settings):
    settings.ANNOTATOR_POLL_SECONDS = 1
    login("cora")
    page.goto("/projects/1/documents/2/curate/")
    expect(page.get_by_text("coders: alice, bob")).to_be_visible()
    page.get_by_label("Start", exact=True).fill("12")
    note = page.get_by_role("textbox", name="Note")
    note.fill("Half a thought about")
    # One refresh cycle with nothing new (the server answers 204) ...
    with page.expect_response(_poll):
        pass
    # ... then another coder adds a coding: the next cycle swaps in the new panel.
    services.annotation_create(
        document=Document.objects.get(pk=2),
        coder=get_user_model().objects.get(username="carol"),
        code=Code.objects.get(name="trade"),
        start_offset=0,
        end_offset=6,
    )
    expect(page.get_by_text("coders: alice, bob, carol")).to_be_visible()
    expect(page.get_by_role("textbox", name="Note")).to_have_value("Half a thought about")
    expect(page.get_by_role("textbox", name="Note")).to_be_focused()
    expect(page.get_by_label("Start", exact=True)).to_have_value("12")
    # Typing goes on where it stopped, and the note is saved whole.
    page.keyboard.type(" Syria.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Half a thought about Syria.")).to_be_visible()
    assert CurationNote.objects.get().text == "Half a thought about Syria."
    # The submitted form starts afresh; the other form keeps its half-written offset.
    expect(page.get_by_role("textbox", name="Note")).to_have_value("")
    expect(page.get_by_label("Start", exact=True)).to_have_value("12")
