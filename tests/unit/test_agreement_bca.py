"""BCa intervals beside the percentile ones: the formula by hand, the jackknife over documents
equal to recomputing without each document, and the leave-one-out unit x gap term."""

from __future__ import annotations

import math

import numpy as np
import pytest

from annotator.agreement import DocumentData, compute_report
from annotator.agreement.bootstrap import (
    BilinearTerm,
    bca_interval,
    leave_one_out_bilinear,
    percentile_interval,
)
from annotator.agreement.corpus import build_corpus
from annotator.agreement.report import _jackknife


def phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def test_bca_by_hand():
    """Ten replicates 1..10, estimate 4.5, jackknife values 1, 2, 4 at 80%.
    z0 = Phi^-1(4 / 10) = -0.253347; jackknife mean 7/3, deviations 4/3, 1/3, -5/3:
    a = (64/27 + 1/27 - 125/27) / (6 (16/9 + 1/9 + 25/9)^1.5) = -(60/27) / (6 (42/9)^1.5)
    = -0.036731. z = -+1.281552 give levels Phi(z0 + (z0 + z) / (1 - a (z0 + z))) =
    0.0301 and 0.7696 (by hand: z0 + z = -1.5349 and 1.0282; divided by 1 - a (z0 + z)
    = 0.9436 and 1.0378, plus z0: -1.8799 and 0.7375); the linear quantiles of 1..10 at them are 1 + 9 p."""
    values = np.arange(1.0, 11.0)
    z0 = -0.2533471031357997
    a = -(60 / 27) / (6 * (42 / 9) ** 1.5)
    levels = [
        phi(z0 + (z0 + z) / (1 - a * (z0 + z))) for z in (-1.2815515655446004, 1.2815515655446004)
    ]
    low, high = bca_interval(values, 4.5, np.array([1.0, 2.0, 4.0]), 0.8)
    assert low == pytest.approx(1 + 9 * levels[0], rel=1e-12)
    assert high == pytest.approx(1 + 9 * levels[1], rel=1e-12)
    assert levels[0] == pytest.approx(0.0301, abs=1e-4) and levels[1] == pytest.approx(
        0.7696, abs=1e-4
    )


def test_bca_equals_the_percentile_interval_without_bias_or_acceleration():
    values = np.arange(1.0, 101.0)
    symmetric_jack = np.array([-1.0, 0.0, 1.0])  # skewness 0: a = 0
    low, high = bca_interval(values, 50.5, symmetric_jack, 0.9)  # half below: z0 = 0
    assert (low, high) == pytest.approx(percentile_interval(values, 0.9)[:2])


def test_bca_is_undefined_when_every_replicate_lies_on_one_side():
    values = np.array([2.0, 3.0, np.nan])
    assert bca_interval(values, 1.0, np.array([0.0, 1.0]), 0.95) == (None, None)
    assert bca_interval(values, 2.5, np.array([1.0]), 0.95) == (None, None)


def test_the_leave_one_out_term_equals_the_bilinear_form():
    rng = np.random.default_rng(3)
    D = 9
    ud, ul = rng.integers(0, D, 50), rng.integers(1, 20, 50)
    gd, gl = rng.integers(0, D, 70), rng.integers(0, 40, 70)
    term = BilinearTerm(ud, ul, gd, gl, D)
    within = term.replicates(np.eye(D))
    loo = leave_one_out_bilinear(ud, ul, gd, gl, within, D)
    np.testing.assert_allclose(loo, term.replicates(np.ones((D, D)) - np.eye(D)), rtol=1e-12)


def documents(n: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n):
        length = int(rng.integers(40, 90))
        spans = []
        for code in ("x", "y"):
            for _ in range(int(rng.integers(1, 3))):
                s = int(rng.integers(0, length - 15))
                for coder in ("A", "B", "C"):
                    if rng.random() < 0.8:
                        spans.append((coder, s + int(rng.integers(0, 3)), s + 10, code))
        docs.append(
            DocumentData(
                i, length, ("A", "B", "C"), tuple(spans), "ab " * (length // 3) + "a" * (length % 3)
            )
        )
    return docs


def test_the_jackknife_is_the_report_without_each_document():
    docs = documents(6)
    kwargs = {"codes": ["x", "y"], "coders": ["A", "B", "C"], "bootstrap": 0}
    jack = _jackknife(build_corpus(docs, kwargs["codes"], kwargs["coders"]))
    for d in range(len(docs)):
        without = compute_report(docs[:d] + docs[d + 1 :], **kwargs)
        for name, attr in [
            ("alpha_u", "unitized_alpha"),
            ("char_alpha", "char_alpha"),
            ("token_alpha", "token_alpha"),
            ("kappa_mean", "cohen_kappa_mean"),
            ("fleiss_kappa", "fleiss_kappa"),
            ("f1_overlap_mean", "span_f1_overlap_mean"),
            ("percent_agreement", "percent_agreement"),
        ]:
            for k, row in enumerate((*without.per_code, without.overall)):
                expected = getattr(row, attr).value
                got = jack[name][d, k]
                if expected is None:
                    assert not np.isfinite(got)
                else:
                    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, d, k)


def test_the_report_gives_bca_intervals_beside_percentile_ones():
    report = compute_report(
        documents(12), codes=["x", "y"], coders=["A", "B", "C"], bootstrap=300, seed=1
    )
    est = report.overall.char_alpha
    assert est.ci_low is not None and est.bca_low is not None
    assert est.bca_low <= est.value <= est.bca_high
    assert (est.bca_low, est.bca_high) != (est.ci_low, est.ci_high)
    none = compute_report(documents(3), codes=["x"], coders=["A", "B", "C"], bootstrap=0)
    assert none.overall.char_alpha.bca_low is None


def test_tables_the_appendix_and_the_page_cells_show_bca():
    from annotator.agreement import methods_appendix, report_tables
    from annotator.reports.presentation import per_code_rows

    report = compute_report(
        documents(12), codes=["x", "y"], coders=["A", "B", "C"], bootstrap=100, seed=1
    )
    rows = report_tables(report)["coefficients"]
    pooled = next(r for r in rows if r["code"] == "all codes (pooled)" and r["unit"] == "character")
    assert pooled["bca_low"] == report.overall.char_alpha.bca_low
    assert "cohen_kappa_bca_low" in report_tables(report)["coder_pairs"][0]
    assert "BCa [" in methods_appendix(report)
    html = str(per_code_rows(report)[-1]["cells"][1].html)
    assert 'class="bca"' in html and "of 100 replicates defined" in html
