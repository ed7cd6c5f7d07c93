"""Offset units: code points <-> UTF-16 code units <-> grapheme clusters, around emoji."""

import pytest

from annotator.exports import formats
from annotator.exports.units import UnitMap

TEXT = "🇮🇱🤝🇷🇺\nIsrael and Russia"  # 5 code points of emoji, 8 UTF-16 units, 3 graphemes


def _utf16(text: str, offset: int) -> int:
    """What JavaScript's ``text.length`` of the prefix gives."""
    return len(text[:offset].encode("utf-16-le")) // 2


@pytest.mark.parametrize("offset", range(len(TEXT) + 1))
def test_it_counts_utf16_units_as_javascript_does(offset):
    units = UnitMap(TEXT, "utf16")
    assert units.to_unit(offset) == _utf16(TEXT, offset)
    assert units.from_unit(_utf16(TEXT, offset)) == offset


def test_it_refuses_an_offset_inside_a_surrogate_pair():
    assert UnitMap(TEXT, "utf16").from_unit(1) is None


def test_it_counts_the_flags_and_the_handshake_as_one_grapheme_each():
    units = UnitMap(TEXT, "grapheme")
    assert [units.to_unit(o) for o in (0, 2, 3, 5, 6)] == [0, 1, 2, 3, 4]
    assert units.from_unit(4) == 6  # "I"
    assert units.unit_length == len(TEXT) - 2  # two flags of two code points each


def test_it_widens_a_span_that_splits_a_grapheme():
    units = UnitMap(TEXT, "grapheme")
    # code points 1..4 cut both flags in half: the span grows to cover them
    assert (units.to_unit(1), units.to_unit(4, end=True)) == (0, 3)


def test_it_is_the_identity_for_code_points_and_ascii():
    assert UnitMap(TEXT, "codepoint").to_unit(7) == 7
    assert UnitMap("plain", "utf16").from_unit(3) == 3


def test_the_registry_knows_each_formats_default_unit_and_refuses_units_elsewhere():
    assert formats.get("doccano").options().offsets == "utf16"
    assert formats.get("jsonl").options().offsets == "codepoint"
    with pytest.raises(ValueError, match="no offset unit"):
        formats.get("qdpx").options(offsets="utf16")
    with pytest.raises(ValueError, match="unknown offset unit"):
        formats.get("doccano").options(offsets="bytes")


def test_every_import_kind_names_a_format_with_a_reader():
    for kind, (what, entry) in formats.import_kinds().items():
        assert entry.read is not None, kind
        assert what in entry.imports
    for entry in formats.exportable().values():
        assert entry.suffix and entry.content_type


def test_an_xlsx_export_is_the_same_bytes_a_second_later(monkeypatch):
    import datetime as dt
    import io
    import types

    import openpyxl.packaging.core

    from annotator.exports import spreadsheet
    from annotator.exports.rows import ProjectRow

    def export() -> bytes:
        out = io.BytesIO()
        spreadsheet.write_xlsx(ProjectRow(name="x"), [], out)
        return out.getvalue()

    first = export()

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    # openpyxl stamps docProps/core.xml with datetime.datetime.now() when it saves
    clock = types.SimpleNamespace(datetime=Later, timezone=dt.timezone)
    monkeypatch.setattr(openpyxl.packaging.core, "datetime", clock)
    assert export() == first
