"""The methods paragraph a journal accepts, its appendix, references and the report's notes."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from annotator.agreement import (
    DocumentData,
    compute_report,
    methods_appendix,
    methods_paragraph,
    references_bibtex,
    report_tables,
)
from annotator.agreement.unitizing import VARIANT
from annotator.reports import files

CODES, CODERS = ["x", "y", "z"], ["A", "B", "C"]
NARROWING = (
    "Coders: A, B, C only.",
    "Dates: a coder counts for a document only if they marked it done on or after 2026-11-03 "
    "(then with all their codings of it; otherwise missing, not zero).",
)


def corpus(n_docs: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        spans = []
        for code in CODES:
            s = int(rng.integers(0, 60))
            for coder in CODERS:
                jitter = int(rng.integers(0, 3))
                spans.append((coder, s + jitter, s + 20 + jitter, code))
        # C finished every second document only: an unbalanced design.
        counted = ("A", "B", "C") if i % 2 == 0 else ("A", "B")
        spans = [sp for sp in spans if sp[0] in counted]
        docs.append(DocumentData(i, 100, counted, tuple(spans), "w " * 50, f"d{i}"))
    # One overlapping pair of A's units of x: merged for alpha_u, and said so.
    first = docs[0]
    docs[0] = DocumentData(0, 100, first.coders, (*first.spans, ("A", 1, 90, "x")), first.text)
    return docs


def report_of(n_docs: int, bootstrap: int = 200, narrowing=NARROWING):
    return compute_report(
        corpus(n_docs),
        codes=CODES,
        coders=CODERS,
        bootstrap=bootstrap,
        seed=5,
        software="Annotator 9.9, commit abc123 (annotator.agreement)",
        narrowing=narrowing,
    )


def words(text: str) -> int:
    return len(text.split())


def test_the_paragraph_is_short_and_says_what_a_reviewer_asks():
    report = report_of(12)
    paragraph = methods_paragraph(report)
    assert words(paragraph) <= 200, words(paragraph)
    assert "12 of 12 documents" in paragraph
    assert "treated as fixed (A 12, B 12, C 6 documents)" in paragraph  # the coding design
    assert "DKPro Statistics" in paragraph and "not the 2016 u-alpha family" in paragraph
    assert "marked it done on or after 2026-11-03." in paragraph  # the narrowing
    assert re.search(r"per code -?\d\.\d\d \(\w\) to -?\d\.\d\d \(\w\)", paragraph)
    assert re.search(r"\[-?\d\.\d\d, -?\d\.\d\d; \d+ of 200 defined\]", paragraph)
    assert "with the replicates defined" in paragraph
    assert "Below 30 documents" in paragraph and "0.80 at 5 documents" in paragraph
    assert "merged 1 overlapping same-code segments" in paragraph
    assert "Annotator 9.9, commit abc123" in paragraph
    assert "Percent agreement" not in paragraph and "percent agreement" not in paragraph


def test_thirty_documents_need_no_warning_and_no_narrowing_is_not_stated():
    report = report_of(30, bootstrap=50, narrowing=())
    paragraph = methods_paragraph(report)
    assert words(paragraph) <= 200
    assert "Below 30" not in paragraph and "Narrowing" not in paragraph
    assert "Narrowing: none" in methods_appendix(report)


def test_the_appendix_defines_everything_and_cites_in_full():
    report = report_of(8)
    appendix = methods_appendix(report)
    assert VARIANT in appendix
    for needle in (
        "Fleiss' kappa (character):",
        "Percent agreement (character):",
        "replicates defined",
        "Coders are treated as fixed",
        "Sociological Methodology, 25, 47-76",
        "Quality & Quantity, 50(6), 2347-2364",
        "Hopcroft-Karp",
        *NARROWING,
    ):
        assert needle in appendix, needle


def test_the_references_are_a_bibtex_file_in_the_zip():
    bib = references_bibtex()
    keys = re.findall(r"^@\w+\{(\w+),", bib, flags=re.M)
    assert keys == [
        "krippendorff1995",
        "krippendorff2004",
        "krippendorff2011",
        "krippendorff2016",
        "meyer2014",
        "cohen1960",
        "fleiss1971",
        "efron1993",
    ]
    assert bib.count("{") == bib.count("}")
    report = report_of(6, bootstrap=20)
    with zipfile.ZipFile(io.BytesIO(files.render_zip(report))) as archive:
        names = archive.namelist()
        assert archive.read("agreement/references.bib").decode() == bib
        appendix = archive.read("agreement/methods-appendix.txt").decode()
    assert appendix == methods_appendix(report)
    assert "agreement/metadata.csv" in names


def test_every_download_states_the_variant_the_narrowing_and_defined_replicates():
    report = report_of(6, bootstrap=20)
    for name in ("coefficients.md", "coefficients.tex", "report.json", "metadata.csv"):
        body = files.render_file(report, name).decode()
        assert "DKPro Statistics" in body, name
        assert "2026-11-03" in body, name
        assert "2016 u-alpha family" in body, name
    tex = files.render_file(report, "coefficients.tex").decode()
    assert "Widlöcher" in tex and r"Quality \& Quantity" in tex
    rows = report_tables(report)["coefficients"]
    defined = [r for r in rows if r["ci_low"] is not None]
    assert defined and all(r["replicates"] == 20 for r in rows)
    assert all(0 < r["replicates_defined"] <= 20 for r in defined)
    pairs = report_tables(report)["coder_pairs"]
    assert all("cohen_kappa_replicates_defined" in r for r in pairs)
    meta = {r["item"]: r["value"] for r in report_tables(report)["metadata"]}
    assert meta["alpha_u variant"] == VARIANT and meta["narrowed"] == "yes"
    assert meta["documents used by C"] == 3
    assert "merged" in meta["alpha_u note"]


def test_the_report_meta_records_the_design_and_narrowing():
    report = report_of(4, bootstrap=0)
    assert report.meta.coding_design == (("A", 4), ("B", 4), ("C", 2))
    assert report.meta.narrowing == NARROWING
    assert report.to_dict()["meta"]["narrowing"] == list(NARROWING)
    assert "No confidence intervals" in methods_paragraph(report)


def test_the_software_version_names_the_git_commit_of_a_checkout(tmp_path):
    import subprocess

    from annotator.reports.compute import git_commit

    assert git_commit(tmp_path) is None  # no .git: the package version alone
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "f").write_text("x")
    subprocess.run([*git, "add", "f"], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_commit(tmp_path) == head
    (tmp_path / "f").write_text("y")
    assert git_commit(tmp_path) == head + "+dirty"
