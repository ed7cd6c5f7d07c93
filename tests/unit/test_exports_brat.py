"""brat export: distinct valid types, annotation.conf at the root, no files for documents a
coder never coded, no raw tab in an .ann text column."""

import io
import re
import zipfile

from annotator.exports import brat
from annotator.exports.rows import CodeRow, CodingRow, DocumentRow, ProjectRow, StatusRow

VALID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
PATHS = [
    "cooperation",
    "US & Israel",
    "US Israel",
    "US_Israel",
    "ایران",
    "Россия",
    "Café",
    "actors",
    "actors/Iran",
    "actors-Iran",
    "2020 events",
]


def test_every_code_is_a_distinct_valid_brat_type():
    types = brat.type_names(PATHS)
    assert len(set(types.values())) == len(PATHS)
    assert all(VALID.match(name) for name in types.values()), types
    assert types["cooperation"] == "cooperation"
    assert types["actors"] == "actors" and types["US_Israel"] == "US_Israel"
    # Lossy names keep a readable start and get the path's hash.
    assert types["US & Israel"].startswith("US_Israel_")
    assert types["Café"].startswith("Cafe_")
    assert types["ایران"].startswith("code_") or types["ایران"].startswith("code")
    # "actors/Iran" and "actors-Iran" would both read actors-Iran.
    assert types["actors/Iran"] != types["actors-Iran"]


def test_types_do_not_depend_on_which_other_codes_are_exported():
    alone = brat.type_names(["US & Israel"])
    together = brat.type_names(PATHS)
    assert alone["US & Israel"] == together["US & Israel"]


def _project():
    codes = tuple(CodeRow(p, p, "") for p in ("US & Israel", "US Israel", "ایران"))
    return ProjectRow(name="P", codes=codes, coders=("alice", "bob", "carol"))


def _documents():
    return [
        DocumentRow(
            id=1,
            text="US\tand Israel met.\nThen Iran.",
            codings=[
                CodingRow("alice", "US & Israel", 0, 13),
                CodingRow("alice", "US Israel", 0, 2),
                CodingRow("alice", "ایران", 24, 28),
            ],
            statuses=[StatusRow("carol", "done"), StatusRow("bob", "in_progress")],
        ),
        DocumentRow(
            id=2, text="Nothing coded here.", codings=[CodingRow("bob", "US Israel", 0, 7)]
        ),
    ]


def _zip():
    out = io.BytesIO()
    brat.write_brat(_project(), _documents(), out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_the_zip_has_annotation_conf_at_its_root_and_no_files_for_uncoded_documents():
    archive = _zip()
    names = set(archive.namelist())
    assert "annotation.conf" in names
    assert {n for n in names if n.endswith((".ann", ".txt"))} == {
        "alice/1.txt",
        "alice/1.ann",
        "bob/2.txt",
        "bob/2.ann",
        # carol marked document 1 done without coding anything: coded, nothing found.
        "carol/1.txt",
        "carol/1.ann",
    }
    assert archive.read("carol/1.ann") == b""
    conf = archive.read("annotation.conf").decode()
    types = brat.type_names(["US & Israel", "US Israel", "ایران"])
    entities = conf.split("[entities]\n")[1].split("\n\n")[0].splitlines()
    assert sorted(entities) == sorted(types.values())


def test_no_raw_tab_or_newline_inside_an_ann_text_column():
    archive = _zip()
    text = archive.read("alice/1.txt").decode()
    for line in archive.read("alice/1.ann").decode().splitlines():
        ident, middle, covered = line.split("\t")  # exactly three columns
        kind, spans = middle.split(" ", 1)
        pieces = [tuple(map(int, s.split())) for s in spans.split(";")]
        assert covered == " ".join(text[a:b] for a, b in pieces)
        assert "\t" not in covered and "\n" not in covered
    first = archive.read("alice/1.ann").decode().splitlines()[0]
    assert first.split("\t")[1].endswith(" 0 2;3 13")
