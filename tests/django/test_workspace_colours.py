"""The contrast_text and tint filters: WCAG 2.1 contrast of code colours and highlights.

Expected luminances and ratios from the WCAG 2.1 definitions
(https://www.w3.org/TR/WCAG21/#dfn-relative-luminance, #dfn-contrast-ratio):
white has luminance 1, black 0, so their ratio is (1 + 0.05) / (0 + 0.05) = 21.
"""

import itertools

import pytest
from django.template import Context, Template

from annotator.templatetags.annotator_tags import (
    BODY_TEXT,
    contrast_ratio,
    contrast_text,
    relative_luminance,
    tint,
)

CODEBOOK_COLOURS = ["#2E7D32", "#B71C1C", "#6A1B9A", "#E65100", "#1565C0"]
GRID = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in itertools.product(range(0, 256, 15), repeat=3)]


def test_it_follows_the_wcag_definitions():
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == 0.0
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    # #777777 on white is the textbook near-miss of AA: 4.48:1.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_it_picks_white_on_dark_and_black_on_light_colours():
    assert contrast_text("#1565C0") == "#ffffff"
    assert contrast_text("#FFEB3B") == "#000000"


def test_it_reaches_aa_contrast_for_every_colour():
    for colour in CODEBOOK_COLOURS + GRID:
        assert contrast_ratio(colour, contrast_text(colour)) >= 4.5, colour
        # Highlighted text keeps the body colour on the code's tint.
        assert contrast_ratio(tint(colour), BODY_TEXT) >= 4.5, colour


def test_it_is_usable_in_templates():
    html = Template("{% load annotator_tags %}{{ c|contrast_text }} {{ c|tint }}").render(
        Context({"c": "#B71C1C"})
    )
    assert html == f"#ffffff {tint('#B71C1C')}"
