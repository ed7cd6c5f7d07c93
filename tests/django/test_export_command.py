"""``export_project``: writes each format, narrows, and fails with one line on bad arguments."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from annotator import services
from annotator.exports.formats import exportable
from annotator.models import Code, Document
from annotator.selectors.exports import export_file


@pytest.fixture
def coded(demo_project, members):
    codes = {c.name: c for c in Code.objects.filter(codebook=demo_project.codebook)}
    services.annotation_create(
        document=Document.objects.get(pk=4),
        coder=members["annotator"],
        code=codes["trade"],
        start_offset=0,
        end_offset=5,
    )
    services.annotation_create(
        document=Document.objects.get(pk=1),
        coder=members["annotator2"],
        code=codes["Iran"],
        start_offset=0,
        end_offset=3,
    )
    return demo_project


@pytest.mark.parametrize("fmt", sorted(exportable()))
def test_it_writes_the_same_bytes_as_the_download(coded, tmp_path, fmt):
    out = tmp_path / "export.out"
    call_command(
        "export_project", str(coded.pk), "--format", fmt, "--output", str(out), stdout=io.StringIO()
    )
    assert out.read_bytes() == b"".join(export_file(coded, fmt).chunks)


def test_it_narrows_by_usernames_code_names_and_external_ids(coded, tmp_path):
    out = tmp_path / "c.csv"
    call_command(
        "export_project",
        "1",
        "--format",
        "csv",
        "--output",
        str(out),
        "--coders",
        "annotator,annotator2",
        "--codes",
        "trade",
        "--documents",
        "003_64630a7360519eef,1",
        stdout=io.StringIO(),
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"), newline="")))
    assert [(r["coder"], r["code"], r["text"]) for r in rows] == [("annotator", "trade", "🇮🇱🤝🇷🇺")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["99", "--format", "csv"], "No project with id 99."),
        (["1", "--format", "csv", "--coders", "nobody"], "--coders: no user named 'nobody'."),
        (["1", "--format", "csv", "--codes", "nope"], "--codes: 'nope' is not a code"),
        (["1", "--format", "csv", "--documents", "42"], "--documents: '42' is not a document"),
    ],
)
def test_it_fails_with_one_line_on_bad_arguments(coded, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_project", *args, "--output", str(tmp_path / "x"))


def test_it_fails_with_one_line_when_it_cannot_write(coded, tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "export_project",
            "1",
            "--format",
            "csv",
            "--output",
            str(tmp_path / "missing" / "x.csv"),
        )
