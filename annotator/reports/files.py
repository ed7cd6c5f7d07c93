"""The export bundle of an agreement report: every file by name, and a ZIP of all of them.

Files: ``<table>.csv`` and ``<table>.json`` for every table of ``report_tables`` (coefficients,
coder_pairs, coder_matrix_kappa, coder_matrix_f1_overlap, documents, counts); ``report.json``
(the whole report); ``coefficients.md`` and ``coefficients.tex`` (the per-code table, with
the report's notes: alpha_u variant, narrowing, intervals, software); ``methods.txt`` (the
methods paragraph), ``methods-appendix.txt`` (its definitions and full references) and
``references.bib`` (BibTeX); the plots ``heatmap`` and ``per-code`` as ``.svg`` and
``.png``; and ``agreement.zip`` holding all of these. Output is deterministic: the same report
gives the same bytes (sorted ZIP entries with a fixed timestamp, deterministic plots).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from ..agreement import (
    Report,
    methods_appendix,
    methods_paragraph,
    references_bibtex,
    report_tables,
    to_latex,
    to_markdown,
)
from ..agreement.report_text import _latex_escape, report_notes
from .plot_names import FORMATS, PLOTS

TABLES = (
    "coefficients",
    "coder_pairs",
    "coder_matrix_kappa",
    "coder_matrix_f1_overlap",
    "documents",
    "counts",
    "metadata",
)
TEXTS = ("methods.txt", "methods-appendix.txt", "references.bib")
ZIP_NAME = "agreement.zip"
# The ZIP format cannot store dates before 1980; a fixed one keeps archives byte-identical.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "tex": "application/x-tex; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "bib": "application/x-bibtex; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "zip": "application/zip",
}


def file_names() -> list[str]:
    """Every single file of the bundle, in the order the page lists them."""
    names = [f"{t}.{ext}" for t in TABLES for ext in ("csv", "json")]
    names += ["report.json", "coefficients.md", "coefficients.tex", *TEXTS]
    names += [f"{p}.{ext}" for p in PLOTS for ext in FORMATS]
    return names


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[-1]]


def _csv(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue().encode("utf-8")


def _json(data) -> bytes:
    # allow_nan=False: undefined values are None (null), never NaN, which JSON lacks.
    return (json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()


def render_file(report: Report, name: str, tables: dict | None = None) -> bytes:
    """The bytes of one file of the bundle; ``KeyError`` for a name that is not one."""
    if name == ZIP_NAME:
        return render_zip(report)
    if name not in file_names():
        raise KeyError(name)
    stem, ext = name.rsplit(".", 1)
    if ext in FORMATS:
        from . import plots  # matplotlib only when a plot is asked for

        return plots.render(report, stem, ext)
    if name == "report.json":
        return _json(
            report.to_dict()
            | {
                "methods_paragraph": methods_paragraph(report),
                "methods_appendix": methods_appendix(report),
                "notes": report_notes(report),
            }
        )
    if name == "methods.txt":
        return (methods_paragraph(report) + "\n").encode()
    if name == "methods-appendix.txt":
        return methods_appendix(report).encode()
    if name == "references.bib":
        return references_bibtex().encode()
    tables = tables if tables is not None else report_tables(report)
    if ext == "csv":
        return _csv(tables[stem])
    if ext == "json":
        return _json(tables[stem])
    notes = report_notes(report)
    if ext == "md":
        return (
            to_markdown(tables[stem]) + "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        ).encode()
    body = " ".join(_latex_escape(n) for n in notes)
    return (to_latex(tables[stem]) + "\n\\par\\smallskip\\footnotesize " + body + "\n").encode()


def render_zip(report: Report, extra: dict[str, bytes] | None = None) -> bytes:
    """Every file of the bundle in one ZIP, entries in a fixed order and with a fixed date.

    ``extra`` adds files computed elsewhere (the optional ``gamma.json``) under their names.
    """
    tables = report_tables(report)
    contents = {name: render_file(report, name, tables) for name in file_names()}
    contents.update(extra or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            info = zipfile.ZipInfo(f"agreement/{name}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    return out.getvalue()


def write_all(report: Report, directory) -> list[str]:
    """Write every single file into ``directory`` (a ``pathlib.Path``); returns the names."""
    tables = report_tables(report)
    names = file_names()
    for name in names:
        (directory / name).write_bytes(render_file(report, name, tables))
    return names
