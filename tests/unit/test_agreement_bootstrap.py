"""Document-level percentile bootstrap and alpha_u's bilinear unit x gap term."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import document_bootstrap
from annotator.agreement.bootstrap import BilinearTerm, percentile_interval, resample_weights
from annotator.agreement.unitizing import bilinear_by_group


def share(stats: np.ndarray) -> np.ndarray:
    """Statistic of summed columns (agreeing, total): a proportion, NaN when total is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(stats[:, 1] > 0, stats[:, 0] / stats[:, 1], np.nan)


def per_document(seed: int = 0, n: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    total = rng.integers(50, 500, size=n)
    return np.stack([rng.binomial(total, 0.8), total], axis=1).astype(float)


def test_it_is_deterministic_for_a_seed():
    """Same seed, same interval; another seed, another interval (numpy Generator)."""
    stats = per_document()
    a = document_bootstrap(stats, share, replicates=500, seed=42)
    b = document_bootstrap(stats, share, replicates=500, seed=42)
    c = document_bootstrap(stats, share, replicates=500, seed=43)
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)
    assert a.replicates == 500 and a.defined == 500 and a.seed == 42


def test_the_interval_contains_the_estimate_on_reasonable_data():
    """Percentile interval (Efron & Tibshirani 1993) around a pooled proportion; a higher
    confidence gives a wider interval."""
    stats = per_document(1)
    result = document_bootstrap(stats, share, replicates=1000, seed=7, confidence=0.9)
    assert result.low < result.estimate < result.high
    assert result.estimate == pytest.approx(stats[:, 0].sum() / stats[:, 1].sum())
    wider = document_bootstrap(stats, share, replicates=1000, seed=7, confidence=0.99)
    assert wider.low <= result.low and wider.high >= result.high


def test_it_reports_progress_and_leaves_out_undefined_replicates():
    """Replicates drawing only documents with total 0 are undefined and left out."""
    stats = np.array([[0.0, 0.0]] * 3 + [[1.0, 2.0]])
    calls = []
    result = document_bootstrap(
        stats,
        share,
        replicates=250,
        seed=1,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (250, 250) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert 0 < result.defined < 250
    assert result.low == result.high == 0.5
    assert percentile_interval(np.array([np.nan]), 0.95) == (None, None, 0)
    empty = document_bootstrap(np.zeros((0, 2)), share, replicates=10, seed=1)
    assert empty.estimate is None and empty.low is None


def test_it_rejects_invalid_settings():
    """At least one replicate, and a confidence strictly between 0 and 1."""
    with pytest.raises(ValueError, match="replicates"):
        document_bootstrap(per_document(), share, replicates=0)
    with pytest.raises(ValueError, match="confidence"):
        document_bootstrap(per_document(), share, confidence=1.0)


def test_resampling_draws_documents_with_replacement():
    """Each replicate's weights are multinomial counts that add up to the documents."""
    weights = np.concatenate(list(resample_weights(7, 230, seed=3)))
    assert weights.shape == (230, 7)
    assert (weights.sum(axis=1) == 7).all() and (weights >= 0).all()


@st.composite
def units_and_gaps(draw):
    n_docs = draw(st.integers(1, 6))
    unit = draw(st.lists(st.tuples(st.integers(0, n_docs - 1), st.integers(1, 12)), max_size=40))
    gap = draw(st.lists(st.tuples(st.integers(0, n_docs - 1), st.integers(1, 12)), max_size=40))
    arrays = [
        np.array([r[i] for r in rows], dtype=np.int64) for rows in (unit, gap) for i in (0, 1)
    ]
    return n_docs, arrays


@settings(max_examples=150, deadline=None)
@given(case=units_and_gaps(), seed=st.integers(0, 1000), block=st.sampled_from([1, 2, 5, 128]))
def test_the_bilinear_term_equals_its_definition_under_weights(case, seed, block):
    """Property: w^T F w (the D x D matrix, any block size) and the row-by-row fallback both
    equal sum over units u and gaps g of w_d(u) w_d(g) l_u^2 (l_g - l_u + 1) [l_g >= l_u]."""
    n_docs, (unit_doc, unit_len, gap_doc, gap_len) = case
    W = np.random.default_rng(seed).integers(0, 3, size=(4, n_docs)).astype(float)
    expected = np.array(
        [
            sum(
                w[du] * w[dg] * lu**2 * (lg - lu + 1)
                for du, lu in zip(unit_doc, unit_len, strict=True)
                for dg, lg in zip(gap_doc, gap_len, strict=True)
                if lg >= lu
            )
            for w in W
        ]
    )
    term = BilinearTerm(unit_doc, unit_len, gap_doc, gap_len, n_docs)
    F = term.matrix(block=block)
    assert np.einsum("bd,bd->b", W @ F, W) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert term._direct(W) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert term.replicates(W) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    # Unit weights give the plain corpus term; F's diagonal gives each document's own term.
    total = bilinear_by_group(
        np.zeros_like(unit_doc), unit_len, np.zeros_like(gap_doc), gap_len, 1
    )[0]
    assert F.sum() == pytest.approx(total, rel=1e-12, abs=1e-9)
    own = bilinear_by_group(unit_doc, unit_len, gap_doc, gap_len, n_docs)
    assert np.diag(F) == pytest.approx(own, rel=1e-12, abs=1e-9)
