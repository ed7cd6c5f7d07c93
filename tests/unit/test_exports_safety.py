"""Hostile uploads refused by the readers before they cost memory, time or a crash: ZIP bombs,
XML entity bombs and deep nesting, deep JSON, NUL characters."""

import io
import struct
import time
import zipfile

import pytest

from annotator.exports import archive, jsonl, refi_read
from annotator.exports.common import (
    JSON_MAX_DEPTH,
    XML_MAX_DEPTH,
    BadFile,
    SafeZip,
    decode_text,
    load_json,
    parse_xml,
)

MiB = 1024 * 1024


def _bomb(size: int, name: str = "project.qde") -> bytes:
    """A ZIP whose one member is ``size`` zero bytes: about a thousandth of that on disk."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive_file,
        archive_file.open(name, "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * MiB
        for _ in range(size // MiB):
            member.write(chunk)
    return out.getvalue()


def _lying_bomb(actual: int, declared: int = 100) -> bytes:
    """A ZIP member of ``actual`` bytes whose headers declare only ``declared`` bytes."""
    data = bytearray(_plain_zip({"project.qde": b"<" * actual}, zipfile.ZIP_DEFLATED))
    # Patch the uncompressed size in the local header (offset 22) and the central directory
    # entry (offset 24): the reader must not trust it to bound the output.
    struct.pack_into("<I", data, 22, declared)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def _plain_zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive_file:
        for name, data in members.items():
            archive_file.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_declared_size_before_decompression():
    bomb = _bomb(64 * MiB)
    assert len(bomb) < MiB // 4
    started = time.perf_counter()
    with pytest.raises(BadFile, match=r"p.qdpx, project.qde: expands to 67,108,864 bytes"):
        refi_read.read_qdpx(bomb, "p.qdpx", max_bytes=MiB)
    assert time.perf_counter() - started < 1


def test_a_zip_whose_members_lie_about_their_size_is_refused_while_reading():
    bomb = _lying_bomb(4 * MiB)
    with pytest.raises(BadFile, match=r"p.qdpx, project.qde: damaged"):
        refi_read.read_qdpx(bomb, "p.qdpx", max_bytes=MiB)


def test_many_small_members_are_refused_by_their_total():
    members = {f"sources/{i}.txt": b"x" * 1000 for i in range(20)}
    with pytest.raises(BadFile, match="expands to 20,000 bytes in all; the limit is 10,000"):
        SafeZip(_plain_zip(members), "p.qdpx", max_bytes=10_000, max_members=100)


def test_the_member_count_is_refused_from_the_directory_record():
    members = {f"sources/{i}.txt": b"" for i in range(11)}
    with pytest.raises(BadFile, match="holds 11 files; at most 10 are accepted"):
        SafeZip(_plain_zip(members), "p.qdpx", max_bytes=MiB, max_members=10)


def test_only_stored_and_deflated_members_are_read():
    data = _plain_zip({"project.qde": b"<Project/>"}, zipfile.ZIP_BZIP2)
    with pytest.raises(BadFile, match="compressed with a method other than deflate"):
        refi_read.read_qdpx(data, "p.qdpx")


def test_the_read_budget_counts_the_bytes_actually_produced():
    safe = SafeZip(
        _plain_zip({"a": b"x" * 600, "b": b"y" * 400}), "p.qdpx", max_bytes=1000, max_members=9
    )
    assert safe.read("a") == b"x" * 600
    assert safe.left == 400
    assert safe.read("b") == b"y" * 400


def _nested_codes(depth: int) -> bytes:
    opening = "".join(
        f'<Code guid="00000000-0000-0000-0000-{i:012d}" name="c{i}" isCodable="true">'
        for i in range(depth)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        f"<Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"
    ).encode()


def test_a_codebook_of_3000_nested_codes_is_refused_without_recursion():
    with pytest.raises(
        BadFile, match=f"c.qdc, element <Code>: elements nest more than {XML_MAX_DEPTH}"
    ):
        refi_read.read_qdc(_nested_codes(3000), "c.qdc")


def test_a_codebook_within_the_depth_is_read():
    rows = refi_read.read_qdc(_nested_codes(40), "c.qdc")
    assert len(rows) == 40 and rows[-1].path.count("/") == 39


def test_xml_entities_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>&b;</Codes></CodeBook>'
    )
    with pytest.raises(BadFile, match="c.qdc: declares entities or external references"):
        refi_read.read_qdc(laughs, "c.qdc")


def test_xml_parsing_reports_malformed_input():
    with pytest.raises(BadFile, match=r"x.xml, line 1, column \d+: not well-formed XML"):
        parse_xml(b"<a><b></a>", "x.xml")


@pytest.mark.parametrize(
    ("data", "where"),
    [(b"first\nsec\x00ond", "line 2"), (b"\x00", "line 1")],
)
def test_a_nul_byte_is_refused_naming_its_line(data, where):
    with pytest.raises(BadFile, match=f"a.txt, {where}: contains a NUL character"):
        decode_text(data, "a.txt")


def test_a_qdpx_source_with_a_nul_byte_is_refused():
    qde = (
        b'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        b'name="p"><Sources><TextSource guid="00000000-0000-0000-0000-000000000001" '
        b'name="s" plainTextPath="internal://s.txt"/></Sources></Project>'
    )
    data = _plain_zip({"project.qde": qde, "sources/s.txt": b"te\x00xt"})
    with pytest.raises(BadFile, match="sources/s.txt, line 1: contains a NUL character"):
        refi_read.read_qdpx(data, "p.qdpx")


def test_json_nested_100k_deep_is_refused():
    line = "[" * 100_000 + "]" * 100_000
    with pytest.raises(BadFile, match=f"d.jsonl, line 1: JSON nested more than {JSON_MAX_DEPTH}"):
        jsonl.read_jsonl(line.encode(), "d.jsonl")


def test_json_nested_beyond_the_limit_but_within_python_is_refused():
    value = '{"text": "x", "metadata": {"k": ' + "[" * 100 + "]" * 100 + "}}"
    with pytest.raises(BadFile, match="line 1: JSON nested more than"):
        jsonl.read_jsonl(value.encode(), "d.jsonl")


@pytest.mark.parametrize(
    "record",
    [
        '{"text": "a\\u0000b"}',
        '{"text": "ab", "metadata": {"k\\u0000": "v"}}',
        '{"text": "ab", "annotations": [{"coder": "x\\u0000", "code": "c", '
        '"start_offset": 0, "end_offset": 1}]}',
    ],
)
def test_a_nul_escape_in_any_json_string_is_refused(record):
    with pytest.raises(BadFile, match=r"d.jsonl, line 1: a string contains a NUL character"):
        jsonl.read_jsonl(record.encode(), "d.jsonl")


def test_an_archive_is_read_with_the_same_json_checks():
    with pytest.raises(BadFile, match="a.json: JSON nested more than"):
        archive.read_archive(("[" * 5000 + "]" * 5000).encode(), "a.json")


def test_load_json_keeps_ordinary_values():
    assert load_json('{"a": [1, {"b": "c"}], "d": null}', "f", "line 1") == {
        "a": [1, {"b": "c"}],
        "d": None,
    }


def test_a_member_whose_bytes_are_not_deflate_data_is_refused():
    # zlib.error inside zipfile: a clear refusal, not a server error.
    data = bytearray(_plain_zip({"project.qde": b"<Project/>" * 50}, zipfile.ZIP_DEFLATED))
    start = 30 + len("project.qde")
    data[start : start + 8] = b"\xff" * 8
    with pytest.raises(BadFile, match="project.qde: damaged"):
        refi_read.read_qdpx(bytes(data), "p.qdpx")
