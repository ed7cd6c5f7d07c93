"""The export bundle of an agreement report: every file by name, a deterministic ZIP."""

import csv
import io
import json
import zipfile

import pytest

from annotator.agreement import DocumentData, compute_report, methods_paragraph
from annotator.reports import files


@pytest.fixture(scope="module")
def report():
    docs = [
        DocumentData(1, 30, ("ann", "bob"), (("ann", 0, 10, "Iran"), ("bob", 2, 10, "Iran"))),
        DocumentData(2, 30, ("ann", "bob"), (("ann", 5, 25, "Syria"), ("bob", 5, 20, "Syria"))),
    ]
    return compute_report(
        docs, codes=["Iran", "Syria", "R&D_1"], coders=["ann", "bob"], bootstrap=20, seed=3
    )


def test_it_names_a_csv_and_json_file_for_every_table(report):
    names = files.file_names()
    for table in files.TABLES:
        assert f"{table}.csv" in names and f"{table}.json" in names
    assert {"report.json", "coefficients.md", "coefficients.tex", "methods.txt"} <= set(names)
    assert {"heatmap.svg", "heatmap.png", "per-code.svg", "per-code.png"} <= set(names)


def test_it_writes_csv_with_empty_cells_for_undefined(report):
    rows = list(csv.DictReader(io.StringIO(files.render_file(report, "coefficients.csv").decode())))
    # Code R&D_1 was never applied: alpha_u and alpha are undefined, with the reason noted.
    undefined = [r for r in rows if r["code"] == "R&D_1" and r["value"] == ""]
    assert len(undefined) >= 2 and all(r["note"] for r in undefined)
    defined = next(r for r in rows if r["code"] == "Iran" and r["unit"] == "continuum")
    assert float(defined["value"]) == report.per_code[0].unitized_alpha.value


def test_it_writes_json_with_null_never_nan(report):
    rows = json.loads(files.render_file(report, "coefficients.json"))
    assert any(r["value"] is None for r in rows)
    full = json.loads(files.render_file(report, "report.json"))
    assert full["methods_paragraph"] == methods_paragraph(report)
    assert full["meta"]["seed"] == 3


def test_it_escapes_latex_and_keeps_markdown_cells(report):
    latex = files.render_file(report, "coefficients.tex").decode()
    assert r"R\&D\_1" in latex
    markdown = files.render_file(report, "coefficients.md").decode()
    assert "| R&D_1 |" in markdown


def test_it_writes_the_methods_paragraph_as_text(report):
    text = files.render_file(report, "methods.txt").decode()
    assert text == methods_paragraph(report) + "\n"
    assert "20 replicates" in text and "seed 3" in text


def test_it_builds_the_same_zip_twice_with_every_file(report):
    first, second = files.render_zip(report), files.render_zip(report)
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert archive.namelist() == [f"agreement/{n}" for n in sorted(files.file_names())]
    assert archive.read("agreement/methods.txt") == files.render_file(report, "methods.txt")


def test_it_refuses_an_unknown_name(report):
    with pytest.raises(KeyError):
        files.render_file(report, "secrets.txt")


def test_it_writes_every_file_into_a_directory(report, tmp_path):
    names = files.write_all(report, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert (tmp_path / "per-code.svg").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.csv", "text/csv"), ("a.json", "application/json"), ("a.png", "image/png")],
)
def test_it_gives_each_file_its_content_type(name, kind):
    assert files.content_type(name).startswith(kind)
