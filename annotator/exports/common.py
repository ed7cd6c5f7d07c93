"""Helpers shared by the writers and readers: errors, GUIDs, times, ZIPs, text decoding."""

import datetime as dt
import io
import json
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..spans import normalise_text

# Fixed namespace for our REFI-QDA GUIDs: never change it, or every exported GUID changes.
GUID_NAMESPACE = uuid.UUID("6c3f0a52-8f1e-5b6e-9d1a-2f4b7c9e0a11")
# ZIP entries get this timestamp so that exporting twice gives byte-identical files.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Limits on what an uploaded file may expand into, checked before anything is decompressed or
# parsed: a small ZIP can declare gigabytes, and a deep XML or JSON nesting exhausts the stack.
# The byte limit itself is the caller's (the services pass ANNOTATOR_MAX_UPLOAD_BYTES, so a
# ZIP never expands to more than a plain upload may hold).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ZIP_MAX_MEMBERS = 100_000
# REFI-QDA nests Project/CodeBook/Codes/Code... (codebooks are at most 32 levels deep) and
# Project/Sources/TextSource/PlainTextSelection/Coding/CodeRef; 64 leaves room for both.
XML_MAX_DEPTH = 64
# JSON from a research tool nests a few levels; Python's json parser recurses per level.
JSON_MAX_DEPTH = 64


class BadFile(ValueError):
    """Malformed input. The message names the file, the line or element, and the field."""

    def __init__(self, filename: str, where: str, problem: str):
        self.filename, self.where, self.problem = filename, where, problem
        location = ", ".join(part for part in (filename, where) if part)
        super().__init__(f"{location}: {problem}")


def guid(kind: str, *key: object) -> str:
    """A stable upper-case GUID for an object, from its kind and natural key.

    Natural keys (username, code path, text hash, offsets) rather than database ids: the same
    data exported from any database, including one it was imported into, gets the same GUIDs.
    """
    name = "\x1f".join([kind, *(str(part) for part in key)])
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


def iso(value: dt.datetime | str | None) -> str:
    """An aware datetime as ISO 8601 in UTC with ``Z`` ('' for None); exact to the microsecond.
    Text is ISO 8601 already (``CodingRow`` times read as text) and is returned as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = value.isoformat()
    if text.endswith("+00:00"):  # the database hands back UTC times: the fast path
        return text[:-6] + "Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: object, filename: str, where: str, name: str) -> dt.datetime | None:
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


def parse_date(value: object, filename: str, where: str, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadFile(
            filename, where, f"field {name}: {value!r} is not a date (YYYY-MM-DD)."
        ) from None


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 text (a leading BOM is dropped); otherwise a message naming the line.

    A NUL character is refused: no text holds one, and PostgreSQL cannot store it.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadFile(
            filename, f"line {line}", f"not UTF-8 text (byte {exc.start}); save it as UTF-8."
        ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise BadFile(
            filename, f"line {line}", f"contains a NUL character (byte {nul}); not a text file."
        )
    return text.removeprefix("\ufeff")


def load_json(text: str, filename: str, where: str) -> Any:
    """``json.loads`` that refuses, with a message, what would crash later: nesting deeper than
    ``JSON_MAX_DEPTH`` and NUL characters (written ``\\u0000``) in any string."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if where:
            raise BadFile(
                filename, where, f"not valid JSON ({exc.msg}, column {exc.colno})."
            ) from None
        raise BadFile(filename, f"line {exc.lineno}", f"not valid JSON ({exc.msg}).") from None
    except RecursionError:
        raise BadFile(
            filename, where, f"JSON nested more than {JSON_MAX_DEPTH} levels deep."
        ) from None
    # An explicit stack, not recursion: the depth is checked here.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise BadFile(filename, where, "a string contains a NUL character (\\u0000).")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > JSON_MAX_DEPTH:
            raise BadFile(filename, where, f"JSON nested more than {JSON_MAX_DEPTH} levels deep.")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        else:
            stack.extend((child, depth + 1) for child in item)
    return value


def parse_xml(data: bytes, filename: str, *, max_depth: int = XML_MAX_DEPTH) -> ET.Element:
    """The root of an uploaded XML document, parsed with ``defusedxml`` (no entity expansion,
    no external references) and refused once elements nest deeper than ``max_depth``."""
    depth = 0
    root: ET.Element | None = None
    try:
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            if root is None:
                root = element
            if depth > max_depth:
                raise BadFile(
                    filename,
                    f"element <{element.tag.rsplit('}', 1)[-1]}>",
                    f"elements nest more than {max_depth} levels deep.",
                )
    except ET.ParseError as exc:
        line, column = exc.position
        raise BadFile(filename, f"line {line}, column {column}", "not well-formed XML.") from None
    except DefusedXmlException as exc:
        raise BadFile(
            filename, "", f"declares entities or external references, which are refused ({exc})."
        ) from None
    if root is None:
        raise BadFile(filename, "", "not well-formed XML (no element).")
    return root


# The form every offset refers to: LF newlines, NFC (the one normaliser, as document_create).
normalise = normalise_text


def offset_mapper(raw: str) -> Callable[[int], int]:
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


def _zip_declared_members(data: bytes) -> int | None:
    """The member count the ZIP's end-of-central-directory record declares (before
    ``zipfile`` reads the whole directory), or None when there is no such record."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if position < 0 or position + 22 > len(data):
        return None
    count: int
    (count,) = struct.unpack_from("<H", data, position + 10)
    locator = position - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data[record : record + 4] == b"PK\x06\x06" and record + 40 <= len(data):
            (count,) = struct.unpack_from("<Q", data, record + 32)
    return count


class SafeZip:
    """A ZIP upload read within limits: at most ``max_members`` members, each member and all of
    them together at most ``max_bytes`` once decompressed (by their declared sizes before
    anything is read, and by the bytes actually produced while reading), stored or deflated
    members only (``zipfile`` bounds deflate's output; bzip2 and LZMA it does not)."""

    def __init__(self, data: bytes, filename: str, *, max_bytes: int, max_members: int):
        self.filename, self.left = filename, max_bytes
        declared = _zip_declared_members(data)
        if declared is None:
            raise BadFile(filename, "", "not a ZIP file.")
        if declared > max_members:
            raise BadFile(
                filename, "", f"holds {declared:,} files; at most {max_members:,} are accepted."
            )
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise BadFile(filename, "", "not a ZIP file, or a damaged one.") from None
        if len(infos) > max_members:
            raise BadFile(
                filename, "", f"holds {len(infos):,} files; at most {max_members:,} are accepted."
            )
        total = 0
        for info in infos:
            if info.file_size > max_bytes:
                raise BadFile(
                    filename,
                    info.filename,
                    f"expands to {info.file_size:,} bytes; the limit is {max_bytes:,}.",
                )
            total += info.file_size
        if total > max_bytes:
            raise BadFile(
                filename, "", f"expands to {total:,} bytes in all; the limit is {max_bytes:,}."
            )
        self.infos = {info.filename: info for info in infos}

    def names(self) -> set[str]:
        return set(self.infos)

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BadFile(
                self.filename, name, "compressed with a method other than deflate; not accepted."
            )
        try:
            with self.archive.open(info) as member:
                data = member.read(self.left + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise BadFile(self.filename, name, "damaged or encrypted; cannot be read.") from None
        if len(data) > self.left:
            raise BadFile(self.filename, name, "expands beyond the size limit.")
        self.left -= len(data)
        return data


def zip_writestr(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """Add an entry with fixed metadata, so the ZIP's bytes depend only on its content."""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    archive.writestr(info, data)


def zip_open(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    """A writable entry with fixed metadata, for content written in pieces."""
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return archive.open(info, "w")


def map_span(
    raw: str,
    mapper: Callable[[int], int],
    start: Any,
    end: Any,
    filename: str,
    where: str,
) -> tuple[int, int]:
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
