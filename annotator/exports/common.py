"""Helpers shared by the writers and readers: errors, GUIDs, times, ZIPs, text decoding."""

import datetime as dt
import re
import uuid
import zipfile

from ..spans import normalise_text

# Fixed namespace for our REFI-QDA GUIDs: never change it, or every exported GUID changes.
GUID_NAMESPACE = uuid.UUID("6c3f0a52-8f1e-5b6e-9d1a-2f4b7c9e0a11")
# ZIP entries get this timestamp so that exporting twice gives byte-identical files.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class BadFile(ValueError):
    """Malformed input. The message names the file, the line or element, and the field."""

    def __init__(self, filename: str, where: str, problem: str):
        self.filename, self.where, self.problem = filename, where, problem
        location = ", ".join(part for part in (filename, where) if part)
        super().__init__(f"{location}: {problem}")


def guid(kind: str, *key) -> str:
    """A stable upper-case GUID for an object, from its kind and natural key.

    Natural keys (username, code path, text hash, offsets) rather than database ids: the same
    data exported from any database, including one it was imported into, gets the same GUIDs.
    """
    name = "\x1f".join([kind, *(str(part) for part in key)])
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


def iso(value: dt.datetime | None) -> str:
    """An aware datetime as ISO 8601 in UTC with ``Z`` ('' for None); exact to the microsecond."""
    if value is None:
        return ""
    text = value.isoformat()
    if text.endswith("+00:00"):  # the database hands back UTC times: the fast path
        return text[:-6] + "Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value, filename: str, where: str, name: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadFile(filename, where, f"field {name}: expected an ISO 8601 date-time.")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadFile(
            filename, where, f"field {name}: {value!r} is not an ISO 8601 date-time."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_date(value, filename: str, where: str, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadFile(
            filename, where, f"field {name}: {value!r} is not a date (YYYY-MM-DD)."
        ) from None


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 text (a leading BOM is dropped); otherwise a message naming the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadFile(
            filename, f"line {line}", f"not UTF-8 text (byte {exc.start}); save it as UTF-8."
        ) from None
    return text.removeprefix("\ufeff")


# The form every offset refers to: LF newlines, NFC (the one normaliser, as document_create).
normalise = normalise_text


def offset_mapper(raw: str):
    """Map code point offsets into ``raw`` to offsets into ``normalise(raw)``.

    Files from other tools may carry CRLF newlines or decomposed characters; their offsets
    count those. The identity when the text is already normalised (the common case).
    """
    if normalise(raw) == raw:
        return lambda offset: offset
    return lambda offset: len(normalise(raw[:offset]))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(value: str, fallback: str) -> str:
    """A file-name-safe version of ``value`` (ASCII letters, digits, ``._-``)."""
    cleaned = _UNSAFE.sub("_", value).strip("._")[:80]
    return cleaned or fallback


def zip_writestr(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add an entry with fixed metadata, so the ZIP's bytes depend only on its content."""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    archive.writestr(info, data)


def zip_open(archive: zipfile.ZipFile, name: str):
    """A writable entry with fixed metadata, for content written in pieces."""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return archive.open(info, "w")


def map_span(raw: str, mapper, start, end, filename: str, where: str) -> tuple[int, int]:
    """Check a span against the raw text it was given for, then map it to the normalised text."""
    for name, value in (("start_offset", start), ("end_offset", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadFile(filename, where, f"field {name}: {value!r} is not a whole number.")
    if start < 0:
        raise BadFile(filename, where, f"field start_offset: {start} is negative.")
    if end <= start:
        raise BadFile(filename, where, f"field end_offset: {end} is not after start {start}.")
    if end > len(raw):
        raise BadFile(
            filename,
            where,
            f"field end_offset: {end} passes the end of the text ({len(raw)} code points).",
        )
    return mapper(start), mapper(end)
