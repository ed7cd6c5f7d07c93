"""``common.iso``: the one ISO 8601 form of every export's timestamps."""

import datetime as dt

from annotator.exports.common import iso


def test_an_aware_datetime_is_written_in_utc_with_z():
    when = dt.datetime(2024, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert iso(when) == "2024-03-01T10:30:00Z"


def test_none_is_empty():
    assert iso(None) == ""


def test_text_read_as_iso_already_is_returned_as_it_is():
    # CodingRow times may be ISO text already (selectors.exports, text_times=True).
    assert iso("2024-03-01T10:30:00.123456Z") == "2024-03-01T10:30:00.123456Z"
