"""The workspace on a phone-sized screen (390 px wide): the code buttons stay in the viewport
while the text is scrolled, coding works from there, and axe-core passes."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation, Document

from .highlights import wait_marked
from .test_workspace import TITLE, mouse_select

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


def in_viewport(box) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= WIDTH
        and box["y"] + box["height"] <= HEIGHT
    )


def test_it_keeps_the_code_buttons_in_view_while_reading_on_a_narrow_screen(
    phone, login, demo, axe_check
):
    document = Document.objects.get(title=TITLE)
    Annotation.objects.filter(document=document, coder__username="alice").delete()
    login("alice")
    phone.goto(f"/projects/{document.project_id}/documents/{document.pk}/")
    paragraphs = phone.locator("#doc-text .ln")  # the source's lines
    middle = paragraphs.nth(paragraphs.count() // 2)
    middle.scroll_into_view_if_needed()
    assert phone.evaluate("window.scrollY") > 2 * HEIGHT  # well into the text
    buttons = phone.locator("#apply-form .code-btn")
    expect(buttons).to_have_count(5)
    for i in range(5):
        box = buttons.nth(i).bounding_box()
        assert in_viewport(box), f"code button {i} at {box} is outside the 390 px viewport"
    # The text being read is not hidden under the bar.
    text_box, bar_box = middle.bounding_box(), phone.locator("#apply-form").bounding_box()
    assert text_box["y"] < bar_box["y"]
    axe_check()

    # Coding from there: select a word of that paragraph, tap a code in the bar.
    para_id = middle.get_attribute("id")
    word = max(middle.inner_text().split(), key=len).strip(".,;:!?\"'“”()’")
    mouse_select(phone, para_id, word)
    buttons.nth(2).click()
    wait_marked(phone, 3, [word])
    [coding] = Annotation.objects.filter(document=document, coder__username="alice")
    assert document.text[coding.start_offset : coding.end_offset] == word
