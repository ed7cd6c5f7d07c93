"""The project report engine: hand-checked values, missing data, bootstrap, undefined values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    DocumentData,
    cohen_kappa,
    compute_report,
    fleiss_kappa,
    krippendorff_alpha,
    methods_paragraph,
    percent_agreement,
    presence_data,
    report_tables,
    span_f1,
    to_latex,
    to_markdown,
)

TEXT = "ab cd ef g"  # tokens [0, 2) [3, 5) [6, 8) [9, 10)
HAND = [
    DocumentData(1, 10, ("A", "B"), (("A", 0, 4, "x"), ("B", 0, 4, "x")), TEXT, "one"),
    DocumentData(2, 10, ("A", "B"), (("A", 2, 6, "x"), ("B", 4, 8, "x")), TEXT, "two"),
]


def test_a_hand_checked_project():
    """Two documents of 10 characters, coders A and B, code x (y unused). By hand:
    characters marked by 2/1/0 coders: 6/4/10, so o11 = 12, o01 = 4, o00 = 20 and
    alpha = 1 - 39 * 4 / (24 * 16) = .59375 (Krippendorff 2011); 2 x 2 table 6/2/2/10, so
    kappa = (.8 - .52) / .48 = 7/12 (Cohen 1960), equal to Fleiss' kappa for two coders;
    percent agreement .8; tokens 3/1/4, alpha = 1 - 15 / 63; span F1 exact 2/4, overlap 4/4;
    alpha_u: D_O = 2 * 8 / (40 * 20), D_E = 2 * 848 / (20 * 1512) (unitizing.py formula)."""
    report = compute_report(HAND, codes=["x", "y"], coders=["A", "B"], bootstrap=0)
    x = report.per_code[0]
    assert x.char_alpha.value == pytest.approx(1 - 39 * 4 / (24 * 16))
    assert x.token_alpha.value == pytest.approx(1 - 15 / 63)
    assert x.cohen_kappa_mean.value == pytest.approx(7 / 12)
    assert x.pairs[0].cohen_kappa.value == pytest.approx(7 / 12)
    assert x.fleiss_kappa.value == pytest.approx(7 / 12)
    assert x.percent_agreement.value == pytest.approx(0.8)
    assert x.span_f1_exact_mean.value == pytest.approx(0.5)
    assert x.span_f1_overlap_mean.value == pytest.approx(1.0)
    assert x.unitized_alpha.value == pytest.approx(1 - (16 / 800) / (1696 / 30240))
    # Overall pools over codes: y adds 20 unmarked characters (8 tokens) for both coders.
    o = report.overall
    assert o.code is None
    assert o.char_alpha.value == pytest.approx(1 - 79 * 4 / (64 * 16))
    assert o.token_alpha.value == pytest.approx(1 - 31 / 175)
    assert o.cohen_kappa_mean.value == pytest.approx((0.9 - 0.68) / 0.32)
    assert o.fleiss_kappa.value == pytest.approx((0.9 - 0.68) / 0.32)
    assert o.percent_agreement.value == pytest.approx(0.9)
    assert o.unitized_alpha.value == pytest.approx(x.unitized_alpha.value)
    assert o.span_f1_overlap_mean.value == pytest.approx(1.0)
    c = report.counts
    assert (c.documents_used, c.documents_available, c.characters_used, c.tokens_used) == (
        2,
        2,
        20,
        8,
    )
    doc = report.documents[1]
    assert doc.coders == ("A", "B") and doc.spans == (("A", 1), ("B", 1))
    unmarked_y = [0] * 10  # the per-document value pools over codes x and y
    assert doc.char_alpha.value == pytest.approx(
        krippendorff_alpha(
            [[0, 0, 1, 1, 1, 1, 0, 0, 0, 0] + unmarked_y, [0] * 4 + [1] * 4 + [0] * 2 + unmarked_y]
        ).value
    )


def test_undefined_values_stay_undefined_with_reasons():
    """Code y was never used: every coefficient that needs variation is None with a reason,
    and has no interval; percent agreement is defined (every coder agrees: 1)."""
    report = compute_report(HAND, codes=["x", "y"], coders=["A", "B"], bootstrap=50, seed=1)
    y = report.per_code[1]
    assert y.char_alpha.value is None and y.char_alpha.ci is None
    assert (
        y.char_alpha.reason == "all coders used a single value for code 'y': no character is marked"
    )
    assert "no token is marked" in y.token_alpha.reason
    assert y.unitized_alpha.reason == "no coder marked any unit of code 'y'"
    assert y.pairs[0].cohen_kappa.reason.startswith("coders 'A' and 'B' used a single value")
    assert y.cohen_kappa_mean.reason.startswith("Cohen's kappa is undefined for coder pair")
    assert y.span_f1_exact_mean.reason.startswith("span F1 is undefined for coder pair")
    assert y.pairs[0].span_f1_overlap.reason == "neither 'A' nor 'B' marked any span of code 'y'"
    assert "single value" in y.fleiss_kappa.reason
    assert y.percent_agreement.value == 1.0
    tables = report_tables(report)
    row = next(r for r in tables["coefficients"] if r["code"] == "y" and r["unit"] == "token")
    assert row["value"] is None and "no token is marked" in row["note"]


def test_a_coder_who_does_not_count_contributes_nothing():
    """Missing-data policy: C counts only for document 1; C's spans in document 2 are
    ignored, C's values there are missing (not 0), pair A-B is unchanged, Fleiss' kappa is
    undefined; a document with one counted coder is not used."""
    docs = [
        DocumentData(1, 10, ("A", "B", "C"), HAND[0].spans + (("C", 0, 5, "x"),), TEXT),
        DocumentData(2, 10, ("A", "B"), HAND[1].spans + (("C", 0, 10, "x"),), TEXT),
        DocumentData(3, 10, ("A",), (("A", 0, 10, "x"),), TEXT),
    ]
    coders = ["A", "B", "C"]
    report = compute_report(docs, codes=["x"], coders=coders, bootstrap=0)
    base = compute_report(HAND, codes=["x"], coders=["A", "B"], bootstrap=0)
    pair_ab = report.per_code[0].pairs[0]
    assert pair_ab.cohen_kappa.value == pytest.approx(base.per_code[0].pairs[0].cohen_kappa.value)
    data = presence_data(docs, code="x", coders=coders)
    assert np.isnan(data[2, 10:]).all() and np.isnan(data[1:, 20:]).all()
    assert report.per_code[0].char_alpha.value == pytest.approx(krippendorff_alpha(data).value)
    assert report.per_code[0].char_alpha.value != pytest.approx(
        krippendorff_alpha(np.nan_to_num(data)).value
    )
    assert "coder 'C' does not count for document 2" in report.per_code[0].fleiss_kappa.reason
    c = report.counts
    assert (c.documents_used, c.documents_available) == (2, 3)
    assert (c.characters_used, c.characters_available) == (20, 30)
    assert (c.coders_used, c.tokens_used, c.tokens_available) == (3, 8, 12)
    assert "fewer than two counted coders" in report.documents[2].char_alpha.reason
    assert [p.documents_shared for p in report.coder_matrix] == [2, 1, 1]


def test_the_bootstrap_is_deterministic_and_reports_progress():
    """The same seed gives the same report; progress(done, total) ends at (B, B)."""
    docs = project(seed=5, n_docs=12)
    calls = []
    a = compute_report(
        docs,
        codes=CODES,
        coders=CODERS,
        bootstrap=300,
        seed=9,
        progress=lambda done, total: calls.append((done, total)),
    )
    b = compute_report(docs, codes=CODES, coders=CODERS, bootstrap=300, seed=9)
    c = compute_report(docs, codes=CODES, coders=CODERS, bootstrap=300, seed=10)
    assert a.to_dict() == b.to_dict()
    assert a.overall.char_alpha.ci != c.overall.char_alpha.ci
    assert calls[-1] == (300, 300) and all(d <= t for d, t in calls)
    assert (a.meta.replicates, a.meta.seed, a.meta.confidence) == (300, 9, 0.95)


def test_intervals_contain_the_estimates_on_reasonable_data():
    """On well-behaved synthetic data every percentile interval contains its estimate."""
    report = compute_report(
        project(seed=2, n_docs=40), codes=CODES, coders=CODERS, bootstrap=400, seed=3
    )
    for row in (*report.per_code, report.overall):
        for est in (
            row.unitized_alpha,
            row.char_alpha,
            row.token_alpha,
            row.cohen_kappa_mean,
            row.fleiss_kappa,
            row.span_f1_exact_mean,
            row.span_f1_overlap_mean,
            row.percent_agreement,
        ):
            assert est.ci_low <= est.value <= est.ci_high
            assert est.ci_replicates == 400
    none = compute_report(project(seed=2, n_docs=5), codes=CODES, coders=CODERS, bootstrap=0)
    assert none.overall.char_alpha.ci is None and none.meta.replicates == 0


def test_outputs_are_plain_data_and_text():
    """to_dict is strict JSON; the methods paragraph states what AGREEMENT.md asks a report
    to state; tables, Markdown and LaTeX have the expected shape and escaping."""
    report = compute_report(
        project(seed=4, n_docs=6),
        codes=CODES,
        coders=CODERS,
        bootstrap=100,
        seed=12345,
        software="annotator 0.1.0",
    )
    text = json.dumps(report.to_dict(), allow_nan=False)
    assert '"software": "annotator 0.1.0"' in text
    paragraph = methods_paragraph(report)
    for needle in (
        "alpha_u",
        "Cohen's kappa",
        "100 replicates",
        "seed 12345",
        "annotator 0.1.0",
        "6 of 6 documents",
        "missing",
    ):
        assert needle in paragraph
    tables = report_tables(report)
    assert set(tables) == {
        "coefficients",
        "coder_pairs",
        "coder_matrix_kappa",
        "coder_matrix_f1_overlap",
        "documents",
        "counts",
        "metadata",
    }
    assert len(tables["coefficients"]) == 8 * (len(CODES) + 1)
    assert [r["coder"] for r in tables["coder_matrix_kappa"]] == CODERS
    markdown = to_markdown(tables["counts"])
    assert markdown.splitlines()[0] == "| quantity | used | available |"
    latex = to_latex([{"a_b": "50% & more", "n": 1.23456}])
    assert r"a\_b & n \\" in latex and r"50\% \& more & 1.235 \\" in latex
    assert to_markdown([]) == "" and to_latex([]) == ""


def test_it_rejects_invalid_input():
    """Invalid projects raise ValueError with a clear message."""
    with pytest.raises(ValueError, match="outside the text"):
        compute_report(
            [DocumentData(1, 5, ("A", "B"), (("A", 3, 9, "x"),))],
            codes=["x"],
            coders=["A", "B"],
            bootstrap=0,
        )
    with pytest.raises(ValueError, match="length says"):
        compute_report([DocumentData(1, 5, ("A",), (), "abc")], codes=["x"], coders=["A"])
    with pytest.raises(ValueError, match="repeat"):
        compute_report(HAND, codes=["x", "x"], coders=["A", "B"])
    with pytest.raises(ValueError, match="confidence"):
        compute_report(HAND, codes=["x"], coders=["A", "B"], confidence=0)
    with pytest.raises(ValueError, match="bootstrap"):
        compute_report(HAND, codes=["x"], coders=["A", "B"], bootstrap=-1)


def test_without_texts_the_token_level_is_undefined():
    """Without the texts the token level is undefined with a reason; the rest is computed."""
    docs = [DocumentData(d.id, d.length, d.coders, d.spans) for d in HAND]
    report = compute_report(docs, codes=["x"], coders=["A", "B"], bootstrap=20)
    assert report.overall.token_alpha.value is None
    assert "document 1 has none" in report.overall.token_alpha.reason
    assert report.counts.tokens_used is None and report.overall.char_alpha.value is not None


CODES, CODERS = ["x", "y", "z"], ["A", "B", "C"]


def project(seed: int, n_docs: int, complete: bool = True):
    """Coders who find jittered copies of shared passages, plus noise."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        length = int(rng.integers(60, 200))
        text = "".join(rng.choice(list("abc de,f  "), length))
        spans = []
        for code in CODES:
            for _ in range(int(rng.integers(1, 4))):
                s = int(rng.integers(0, length - 20))
                e = s + int(rng.integers(3, 20))
                for coder in CODERS:
                    if rng.random() < 0.85:
                        a, b = s + int(rng.integers(-2, 3)), e + int(rng.integers(-2, 3))
                        spans.append((coder, max(0, a), min(length, max(b, a + 1)), code))
        counted = tuple(CODERS) if complete else tuple(c for c in CODERS if rng.random() < 0.8)
        docs.append(DocumentData(i, length, counted, tuple(spans), text, f"doc {i}"))
    return docs


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_docs=st.integers(1, 5), complete=st.booleans())
def test_the_report_agrees_with_the_direct_functions(seed, n_docs, complete):
    """Property: each report value equals the library function on the presence data
    (alpha, kappa, Fleiss, percent agreement, per code and pooled over codes by
    concatenating the codes' units) and span F1 on the documents a pair shares."""
    docs = project(seed, n_docs, complete)
    report = compute_report(docs, codes=CODES, coders=CODERS, bootstrap=0)
    chars = [presence_data(docs, code=c, coders=CODERS) for c in CODES]
    tokens = [presence_data(docs, code=c, coders=CODERS, level="token") for c in CODES]
    rows = [*report.per_code, report.overall]
    for row, char, tok in zip(
        rows, [*chars, np.hstack(chars)], [*tokens, np.hstack(tokens)], strict=True
    ):
        same(row.char_alpha, krippendorff_alpha(char))
        same(row.token_alpha, krippendorff_alpha(tok))
        same(row.percent_agreement, percent_agreement(char))
        if any(2 <= len(d.coders) < 3 for d in docs):
            assert row.fleiss_kappa.value is None and row.fleiss_kappa.reason
        else:  # documents with fewer than two counted coders hold no pairable value, so they
            # are no missing data (the library drops units with fewer than two values alike)
            same(row.fleiss_kappa, fleiss_kappa(char))
        for pair in row.pairs:
            a, b = CODERS.index(pair.coder_a), CODERS.index(pair.coder_b)
            same(pair.cohen_kappa, cohen_kappa(char[a], char[b]))
            shared = [d for d in docs if {pair.coder_a, pair.coder_b} <= set(d.coders)]
            offsets = np.cumsum([0] + [d.length for d in shared])
            spans = [
                [
                    (s + offsets[i], e + offsets[i], k)
                    for i, d in enumerate(shared)
                    for w, s, e, k in d.spans
                    if w == who and (row.code in (None, k))
                ]
                for who in (pair.coder_a, pair.coder_b)
            ]
            same(pair.span_f1_exact, span_f1(*spans))
            same(pair.span_f1_overlap, span_f1(*spans, match="overlap"))


def same(estimate, result):
    assert (estimate.value is None) == (result.value is None)
    if result.value is not None:
        assert estimate.value == pytest.approx(result.value, rel=1e-9, abs=1e-12)


def test_fleiss_kappa_ignores_a_document_only_one_coder_counts_for():
    """A document with one counted coder holds no pairable value: Fleiss' kappa treats it
    like a document nobody counts for (left out), not as missing data that makes it
    undefined."""
    lone = DocumentData(3, 10, ("A",), (("A", 0, 9, "x"),), TEXT, "three")
    with_lone = compute_report([*HAND, lone], codes=["x", "y"], coders=["A", "B"], bootstrap=0)
    without = compute_report(HAND, codes=["x", "y"], coders=["A", "B"], bootstrap=0)
    assert with_lone.overall.fleiss_kappa.value == without.overall.fleiss_kappa.value
    assert with_lone.per_code[0].fleiss_kappa.value == pytest.approx(7 / 12)
    # A coder missing from a document two others count for is still missing data.
    partial = DocumentData(4, 10, ("A", "B"), (), TEXT, "four")
    three = compute_report([*HAND, partial], codes=["x"], coders=["A", "B", "C"], bootstrap=0)
    assert three.overall.fleiss_kappa.value is None
    assert "missing" in three.overall.fleiss_kappa.reason
