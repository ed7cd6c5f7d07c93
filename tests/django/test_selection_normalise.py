"""services.workspace.selection_normalise: what a raw selection stores as."""

import pytest
from django.core.exceptions import ValidationError

from annotator.models import Document, Project
from annotator.services.workspace import selection_normalise

pytestmark = pytest.mark.django_db
TITLE = "Israel, Russia... Are They Friends or Enemies?"


@pytest.fixture
def doc(demo_project):
    return Document.objects.get(title=TITLE)


def words(doc):
    doc.project.granularity = Project.Granularity.WORD
    doc.project.save()
    return doc


def span(doc, start, end):
    s, e = selection_normalise(document=doc, start=start, end=end)
    return doc.text[s:e]


def test_it_counts_code_points_after_the_flag_emoji(doc):
    # 🇮🇱🤝🇷🇺 is five code points (ten UTF-16 units), then a newline.
    assert doc.text.startswith("🇮🇱🤝🇷🇺\nIsrael")
    assert selection_normalise(document=doc, start=6, end=12) == (6, 12)
    assert span(doc, 6, 12) == "Israel"


def test_it_keeps_an_emoji_selection_whole(doc):
    assert span(doc, 0, 5) == "🇮🇱🤝🇷🇺"


def test_it_trims_surrounding_whitespace_in_character_granularity(doc):
    start = doc.text.index(" Russia")
    assert span(doc, start, start + 7) == "Russia"
    assert span(doc, start - 1, start + 4) == ", Rus"


def test_it_trims_newlines_across_paragraphs(doc):
    end_of_first = doc.text.index("\n")
    assert span(doc, end_of_first, end_of_first + 7) == "Israel"


def test_it_snaps_outward_to_whole_words_with_word_granularity(doc):
    words(doc)
    start = doc.text.index("Russia")
    assert span(doc, start + 1, start + 3) == "Russia"
    assert span(doc, 7, start + 2) == "Israel, Russia"


def test_it_does_not_snap_in_character_granularity(doc):
    start = doc.text.index("Russia")
    assert span(doc, start + 1, start + 3) == "us"


def test_it_keeps_an_apostrophe_inside_a_word(demo_project):
    doc = words(Document.objects.get(text__contains="Israel’s relationship"))
    start = doc.text.index("Israel’s")
    assert span(doc, start, start + 3) == "Israel’s"
    assert span(doc, start + 7, start + 8) == "Israel’s"


def test_it_treats_a_hyphen_as_a_word_boundary(demo_project):
    doc = words(Document.objects.get(title="The Limits Of Russo-Israeli Cooperation"))
    start = doc.text.index("Russo-Israeli")
    assert span(doc, start + 1, start + 2) == "Russo"
    assert span(doc, start + 7, start + 8) == "Israeli"


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 4), (4, 4), (5, 4), (0, 10**9), ("0", 4), (None, 4), (True, 4), (0.0, 4)],
)
def test_it_rejects_impossible_offsets(doc, start, end):
    with pytest.raises(ValidationError):
        selection_normalise(document=doc, start=start, end=end)


def test_it_rejects_a_selection_of_only_whitespace(doc):
    newline = doc.text.index("\n")
    with pytest.raises(ValidationError, match="only whitespace"):
        selection_normalise(document=doc, start=newline, end=newline + 1)
