"""Document-level percentile bootstrap and alpha_u's bilinear unit x gap term."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import document_bootstrap
from annotator.agreement.bootstrap import BilinearTerm, percentile_interval, resample_weights
from annotator.agreement.unitizing import bilinear_by_group, disagreements, unitizing_stats


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
@given(case=units_and_gaps(), seed=st.integers(0, 1000), block=st.sampled_from([1, 8, 1 << 25]))
def test_the_bilinear_term_equals_its_definition_under_weights(case, seed, block):
    """Property: the histogram form (any block of documents, float32 or float64 products)
    equals sum over units u and gaps g of w_d(u) w_d(g) l_u^2 (l_g - l_u + 1) [l_g >= l_u]."""
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
    term._BLOCK_BYTES = block
    assert term.replicates(W) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    term.float32_exact = False
    assert term.replicates(W) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    # Unit weights give the plain corpus term.
    total = bilinear_by_group(
        np.zeros_like(unit_doc), unit_len, np.zeros_like(gap_doc), gap_len, 1
    )[0]
    assert term.replicates(np.ones((1, n_docs)))[0] == pytest.approx(total, rel=1e-12, abs=1e-9)
    own = bilinear_by_group(unit_doc, unit_len, gap_doc, gap_len, n_docs)
    assert term.replicates(np.eye(n_docs)) == pytest.approx(own, rel=1e-12, abs=1e-9)


def make_segments(n_docs: int, n_codings: int, length: int, seed: int):
    """Random segments over n_docs documents: (doc, coder, code, start, end) arrays."""
    rng = np.random.default_rng(seed)
    doc = rng.integers(0, n_docs, n_codings)
    start = rng.integers(0, length - 60, n_codings)
    end = start + rng.geometric(1 / 25, n_codings).clip(1, 59)
    return doc, rng.integers(0, 3, n_codings), rng.integers(0, 2, n_codings), start, end


def test_a_replicate_equals_the_recomputation_on_the_resampled_corpus():
    """The bootstrap's alpha_u for a replicate (weights w) equals alpha_u recomputed from
    scratch on the corpus that repeats document d w_d times, per code and pooled; this goes
    through the histogram path for the unit x gap term (float32 and float64 products)."""
    n_docs, length = 40, 400
    doc, coder, code, start, end = make_segments(n_docs, 900, length, seed=5)
    counted = np.ones((n_docs, 3), bool)
    stats = unitizing_stats(
        doc, coder, code, start, end, doc_len=np.full(n_docs, length), counted=counted, n_codes=2
    )
    terms = [
        BilinearTerm(
            stats.unit_doc[stats.unit_code == k],
            stats.unit_len[stats.unit_code == k],
            stats.gap_doc[stats.gap_code == k],
            stats.gap_len[stats.gap_code == k],
            n_docs,
        )
        for k in range(2)
    ]
    linear = stats.linear()
    W = next(resample_weights(n_docs, 5, seed=11))
    for use_float32 in (True, False):
        for term in terms:
            term.float32_exact = use_float32 and term.float32_exact
        bilinear = np.stack([t.replicates(W) for t in terms], axis=1)
        for w, row in zip(W, bilinear, strict=True):
            parts = {name: np.tensordot(w, v, axes=1)[None] for name, v in linear.items()}
            d_o, d_e = disagreements(parts, row[None])
            # The resampled corpus, built explicitly: document d repeated w_d times.
            picks = np.repeat(np.arange(n_docs), w.astype(int))
            new_doc = np.concatenate([np.full((doc == d).sum(), i) for i, d in enumerate(picks)])
            rows = np.concatenate([np.flatnonzero(doc == d) for d in picks])
            again = unitizing_stats(
                new_doc,
                coder[rows],
                code[rows],
                start[rows],
                end[rows],
                doc_len=np.full(len(picks), length),
                counted=np.ones((len(picks), 3), bool),
                n_codes=2,
            )
            full = {name: v.sum(axis=0)[None] for name, v in again.linear().items()}
            o2, e2 = disagreements(full, again.corpus_bilinear(2)[None])
            assert d_o == pytest.approx(o2, rel=1e-12) and d_e == pytest.approx(e2, rel=1e-12)
            pooled = 1 - d_o.sum() / d_e.sum()
            assert pooled == pytest.approx(1 - o2.sum() / e2.sum(), rel=1e-12)


def bilinear_peak(n_docs: int, n_codings: int) -> int:
    """tracemalloc peak (bytes) of building the unit x gap term and 20 replicates."""
    doc, coder, code, start, end = make_segments(n_docs, n_codings, 2000, seed=1)
    stats = unitizing_stats(
        doc,
        coder,
        code * 0,
        start,
        end,
        doc_len=np.full(n_docs, 2000),
        counted=np.ones((n_docs, 3), bool),
        n_codes=1,
    )
    W = next(resample_weights(n_docs, 20, seed=2))
    tracemalloc.start()
    term = BilinearTerm(stats.unit_doc, stats.unit_len, stats.gap_doc, stats.gap_len, n_docs)
    term.replicates(W)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_the_bilinear_term_memory_does_not_grow_with_documents_squared():
    """Same 60,000 codings over 1,000 or 4,000 documents: the peak memory of alpha_u's unit x
    gap term grows by far less than (4,000 / 1,000)^2 = 16 (a D x D matrix would be 8 MiB
    against 128 MiB). Memory is linear in the units and gaps."""
    small, large = bilinear_peak(1000, 60_000), bilinear_peak(4000, 60_000)
    assert large < 2.5 * small, (small, large)
    assert large < 32 * 2**20
