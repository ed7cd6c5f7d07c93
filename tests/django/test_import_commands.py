"""The import commands: thin wrappers that print one line and exit 1 on bad input."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, Code, Document, Project
from annotator.selectors.exports import export_file


def test_it_imports_a_folder_of_txt_files(demo_project, tmp_path):
    (tmp_path / "a.txt").write_text("First article")
    (tmp_path / "b.txt").write_text("Second article")
    out = io.StringIO()
    call_command(
        "import_documents", "1", str(tmp_path), "--format", "txt", stdout=out, stderr=io.StringIO()
    )
    assert out.getvalue().startswith("Imported 2 documents")
    assert Document.objects.filter(title__in=["a", "b"]).count() == 2


def test_it_imports_a_csv_with_mapped_columns(demo_project, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Body,Head,Desk\nSome text,H,World\n")
    call_command(
        "import_documents",
        "1",
        str(path),
        "--format",
        "csv",
        "--text-column",
        "Body",
        "--columns",
        "title=Head,desk=Desk",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Document.objects.get(title="H").metadata == {"desk": "World"}


def test_it_imports_codings_a_codebook_and_an_archive(demo_project, members, tmp_path):
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text(
        json.dumps({"text": Document.objects.get(pk=4).text, "label": [[0, 5, "trade"]]}) + "\n"
    )
    call_command(
        "import_annotations",
        "1",
        str(jsonl),
        "--format",
        "jsonl",
        "--user",
        "curator",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Annotation.objects.get().coder.username == "curator"
    qdpx = tmp_path / "p.qdpx"
    qdpx.write_bytes(b"".join(export_file(demo_project, "qdpx").chunks))
    out = io.StringIO()
    call_command(
        "import_annotations", "1", str(qdpx), "--format", "qdpx", stdout=out, stderr=io.StringIO()
    )
    assert "0 codings, 0 codes, 1 codings already present" in out.getvalue()
    qdc = tmp_path / "c.qdc"
    qdc.write_bytes(b"".join(export_file(demo_project, "qdc").chunks))
    call_command("import_codebook", "1", str(qdc), stdout=out)
    assert "5 codes already present" in out.getvalue()
    archive = tmp_path / "a.json"
    archive.write_bytes(b"".join(export_file(demo_project, "archive").chunks))
    call_command(
        "import_archive", str(archive), "--name", "Restored", stdout=out, stderr=io.StringIO()
    )
    restored = Project.objects.get(name="Restored")
    assert restored.documents.count() == 5
    assert Annotation.objects.filter(document__project=restored).count() == 1


@pytest.mark.parametrize(
    ("command", "args", "content", "message"),
    [
        (
            "import_documents",
            ["1", "{path}", "--format", "jsonl"],
            b"{bad\n",
            r"d\.in, line 1: not valid JSON",
        ),
        (
            "import_documents",
            ["1", "{path}", "--format", "csv", "--columns", "title"],
            b"text\nx\n",
            "--columns: 'title' is not of the form",
        ),
        (
            "import_documents",
            ["1", "{path}", "--format", "txt"],
            b"\xff\xfe",
            r"d\.in, line 1: not UTF-8",
        ),
        ("import_codebook", ["1", "{path}"], b"<x/>", r"d\.in, element /x"),
        ("import_annotations", ["1", "{path}", "--format", "qdpx"], b"not zip", "not a ZIP"),
        (
            "import_annotations",
            ["1", "{path}", "--format", "jsonl", "--user", "ghost"],
            b"",
            "--user: no user named 'ghost'",
        ),
        ("import_archive", ["{path}"], b"[]", "not an Annotator archive"),
        ("import_documents", ["7", "{path}", "--format", "jsonl"], b"", "No project with id 7."),
    ],
)
def test_it_fails_with_one_line_and_writes_nothing(
    demo_project, tmp_path, command, args, content, message
):
    path = tmp_path / "d.in"
    path.write_bytes(content)
    before = (
        Document.objects.count(),
        Code.objects.count(),
        Annotation.objects.count(),
        Project.objects.count(),
    )
    with pytest.raises(CommandError, match=message):
        call_command(
            command,
            *[a.format(path=path) for a in args],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert (
        Document.objects.count(),
        Code.objects.count(),
        Annotation.objects.count(),
        Project.objects.count(),
    ) == before


def test_it_reports_a_missing_file(demo_project, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_documents", "1", str(tmp_path / "nope.txt"), "--format", "txt")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_archive", str(tmp_path / "nope.json"))
