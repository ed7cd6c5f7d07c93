"""Colour helpers for code colours (WCAG 2.x relative luminance and contrast ratio)."""

from django import template

register = template.Library()

DARK_TEXT = "#000000"
LIGHT_TEXT = "#ffffff"
# Highlighted text keeps the body colour on a light tint of the code colour.
BODY_TEXT = "#1d232b"
TINT_WHITE_SHARE = 0.84


def _rgb(color: str) -> tuple[int, int, int]:
    color = (color or "").lstrip("#")
    if len(color) != 6:
        return (0, 0, 0)
    try:
        return (int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16))
    except ValueError:
        return (0, 0, 0)


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB ``#RRGGBB`` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio ``(L1 + 0.05) / (L2 + 0.05)``, from 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@register.filter
def contrast_text(color: str) -> str:
    """White or black, whichever contrasts more with ``color`` (≥ 4.5:1 for any colour
    where either can: with white and black one of the two always exceeds 4.5:1)."""
    if contrast_ratio(color, LIGHT_TEXT) >= contrast_ratio(color, DARK_TEXT):
        return LIGHT_TEXT
    return DARK_TEXT


@register.filter
def tint(color: str) -> str:
    """A light tint of ``color`` (mixed with white) used behind highlighted text, on which the
    body text colour keeps a contrast of at least 4.5:1."""
    r, g, b = (round(v + (255 - v) * TINT_WHITE_SHARE) for v in _rgb(color))
    return f"#{r:02x}{g:02x}{b:02x}"
