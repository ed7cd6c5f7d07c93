"""Document-level percentile bootstrap from per-document sufficient statistics.

A replicate draws D documents with replacement from the D documents used; document d appears
``w_d`` times, ``w ~ Multinomial(D, 1/D, ..., 1/D)`` (numpy Generator, seedable). Every
coefficient in this package is a function of per-document sums, so a replicate's statistics are
``w @ S`` for the per-document matrix S: no replicate goes back to characters. The one
non-additive quantity, alpha_u's unit x gap term, is a bilinear form ``w^T F w`` in the weights
(F[d, e] pairs units of document d with gaps of document e), evaluated exactly from
per-document histograms of unit and gap lengths (:class:`BilinearTerm`), in memory linear in
the number of units and gaps (never D x D).

The interval is the percentile interval (Efron & Tibshirani 1993, ch. 13): the
``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles (numpy's linear interpolation)
of the replicate values. Replicates in which a coefficient is undefined are left out, and the
number of replicates that remain is reported with the interval. Krippendorff's own bootstrap
(Hayes & Krippendorff 2007) resamples pairable values with D_e fixed and ignores clustering in
documents, so it gives narrower intervals; it is not used here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

CHUNK = 100  # replicates drawn and evaluated at a time (fixed, so a seed fixes every draw)


def resample_weights(n_docs: int, replicates: int, seed: int | None) -> Iterator[np.ndarray]:
    """Yield (chunk, n_docs) float arrays of multinomial document counts, CHUNK rows at a time."""
    rng = np.random.default_rng(seed)
    p = np.full(n_docs, 1.0 / n_docs)
    done = 0
    while done < replicates:
        size = min(CHUNK, replicates - done)
        yield rng.multinomial(n_docs, p, size=size).astype(np.float64)
        done += size


def percentile_interval(
    values: np.ndarray, confidence: float
) -> tuple[float | None, float | None, int]:
    """(low, high, defined replicates) of the finite values; (None, None, 0) if there are none."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return None, None, 0
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), int(len(finite))


def bca_interval(
    values: np.ndarray, point: float, jackknife: np.ndarray, confidence: float
) -> tuple[float | None, float | None]:
    """(low, high) of the bias-corrected and accelerated (BCa) interval (Efron 1987; Efron &
    Tibshirani 1993, ch. 14), or (None, None) when it is undefined.

    ``values``: the bootstrap replicates (undefined ones NaN, left out); ``point``: the
    estimate; ``jackknife``: the leave-one-document-out estimates (for the acceleration).
    Bias correction ``z0 = Phi^-1(#{replicates < point} / B)``; acceleration
    ``a = sum (m - t_i)^3 / (6 (sum (m - t_i)^2)^1.5)`` over the jackknife values t_i with
    mean m; the interval is the replicates' quantiles (numpy's linear interpolation, as for
    the percentile interval) at ``Phi(z0 + (z0 + z) / (1 - a (z0 + z)))`` for ``z`` the normal
    quantiles of ``(1 -+ confidence) / 2``. Undefined when no replicate or fewer than two
    jackknife values are defined, when every replicate lies on one side of the estimate
    (z0 infinite), or when ``1 - a (z0 + z) <= 0``.
    """
    finite = values[np.isfinite(values)]
    jack = jackknife[np.isfinite(jackknife)]
    if len(finite) == 0 or len(jack) < 2 or not np.isfinite(point):
        return None, None
    below = float(np.mean(finite < point))
    if not 0.0 < below < 1.0:
        return None, None
    normal = NormalDist()
    z0 = normal.inv_cdf(below)
    diff = jack.mean() - jack
    spread = float((diff**2).sum())
    a = float((diff**3).sum()) / (6.0 * spread**1.5) if spread > 0 else 0.0
    tail = (1.0 - confidence) / 2.0
    levels = []
    for q in (tail, 1.0 - tail):
        z = normal.inv_cdf(q)
        denominator = 1.0 - a * (z0 + z)
        if denominator <= 0:
            return None, None
        levels.append(normal.cdf(z0 + (z0 + z) / denominator))
    low, high = np.quantile(finite, levels)
    return float(low), float(high)


def leave_one_out_bilinear(
    unit_doc: Any, unit_len: Any, gap_doc: Any, gap_len: Any, within: Any, n_docs: int
) -> np.ndarray:
    """alpha_u's unit x gap term ``w^T F w`` for each leave-one-document-out weight vector
    ``w = 1 - e_d`` (the jackknife), without F: ``1'F1 - (F1)_d - (F'1)_d + F_dd``.

    ``(F1)_d`` sums over the units of d the term of each unit against every gap of the
    corpus, ``(F'1)_d`` over the gaps of d against every unit (prefix and suffix sums over
    sorted lengths), and ``F_dd`` is ``within`` (the term inside each document). Returns
    (n_docs,) floats; O((U + G) log(U + G)) time, linear memory.
    """
    unit_len = np.asarray(unit_len, np.float64)
    gap_len = np.asarray(gap_len, np.float64)
    # A unit of length l against every gap of length m >= l: l^2 (m - l + 1).
    g_sorted = np.sort(gap_len)
    suffix_n = np.r_[np.arange(len(g_sorted), 0, -1), 0].astype(np.float64)
    suffix_s = np.r_[np.cumsum(g_sorted[::-1])[::-1], 0.0]
    at = np.searchsorted(g_sorted, unit_len, "left")
    per_unit = unit_len**2 * (suffix_s[at] - (unit_len - 1.0) * suffix_n[at])
    # A gap of length m against every unit of length l <= m: (m + 1) sum l^2 - sum l^3.
    u_sorted = np.sort(unit_len)
    prefix2 = np.r_[0.0, np.cumsum(u_sorted**2)]
    prefix3 = np.r_[0.0, np.cumsum(u_sorted**3)]
    upto = np.searchsorted(u_sorted, gap_len, "right")
    per_gap = (gap_len + 1.0) * prefix2[upto] - prefix3[upto]
    total = per_unit.sum()
    rows = np.bincount(np.asarray(unit_doc, np.int64), per_unit, n_docs)
    cols = np.bincount(np.asarray(gap_doc, np.int64), per_gap, n_docs)
    result: np.ndarray = total - rows - cols + np.asarray(within, np.float64)
    return result


@dataclass(frozen=True)
class BootstrapInterval:
    """A percentile interval; ``low``/``high`` are None when no replicate was defined."""

    estimate: float | None
    low: float | None
    high: float | None
    replicates: int
    defined: int
    confidence: float
    seed: int | None


def document_bootstrap(
    per_document: Any,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    replicates: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
) -> BootstrapInterval:
    """Percentile bootstrap over documents for a statistic of additive per-document sums.

    Input: ``per_document`` (D x M) sufficient statistics that add up over documents;
    ``statistic`` maps summed statistics (B x M) to B values, NaN where undefined. The point
    estimate is the statistic of the plain sum. Method: see the module docstring (Efron &
    Tibshirani 1993). Degenerate input: no documents, or no defined replicate, gives None
    bounds; ``replicates < 1`` or ``confidence`` outside (0, 1) raise ValueError.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    S = np.asarray(per_document, dtype=np.float64)
    estimate = float(statistic(S.sum(axis=0)[None, :])[0]) if len(S) else float("nan")
    if len(S) == 0:
        return BootstrapInterval(None, None, None, replicates, 0, confidence, seed)
    values = []
    for W in resample_weights(len(S), replicates, seed):
        values.append(statistic(W @ S))
        if progress is not None:
            progress(sum(len(v) for v in values), replicates)
    low, high, defined = percentile_interval(np.concatenate(values), confidence)
    estimate_or_none = estimate if np.isfinite(estimate) else None
    return BootstrapInterval(estimate_or_none, low, high, replicates, defined, confidence, seed)


class BilinearTerm:
    """alpha_u's unit x gap term under document weights w, from per-document histograms.

    The term is ``w^T F w`` with ``F[d, e] = sum over units u of d and gaps γ of e with
    l_γ >= l_u of l_u^2 (l_γ - l_u + 1)``, but F (D x D) is never built. Let u_1 < ... < u_V be
    the distinct unit lengths and g_1 < ... < g_G the distinct lengths of the *short* gaps
    (shorter than u_V). Each document keeps a histogram of its units over the u_i and of its
    short gaps over the g_j (integer counts), and four sums: ``a2 = sum l_u^2``,
    ``a3 = sum l_u^3`` over its units, ``c1 = sum (l_γ + 1)`` and ``c0`` (a count) over its long
    gaps. For weights W (B x D), with ``U = W Hu`` and ``S = W Hg``:

        term = sum_i U_i u_i^2 sum_j S_j (g_j - u_i + 1)^+  +  (W a2)(W c1) - (W a3)(W c0)

    since a long gap reaches every unit (``l^2 (m - l + 1) = l^2 (m + 1) - l^3``). This is the
    definition exactly; the histogram products are integer sums, computed in float32 when
    every partial sum stays below 2^24 (so they are exact) and in float64 otherwise. Memory is
    linear in D times the distinct lengths (dense histograms are built a block of documents at
    a time) and never D^2.
    """

    _BLOCK_BYTES = 1 << 25  # dense histogram block of documents, at most 32 MiB

    def __init__(self, unit_doc: Any, unit_len: Any, gap_doc: Any, gap_len: Any, n_docs: int):
        unit_doc, gap_doc = np.asarray(unit_doc, np.int64), np.asarray(gap_doc, np.int64)
        unit_len, gap_len = np.asarray(unit_len, np.int64), np.asarray(gap_len, np.int64)
        self.n_docs = n_docs
        self.unit_lengths = np.unique(unit_len)
        longest = int(self.unit_lengths[-1]) if len(unit_len) else 0
        short = gap_len < longest
        self.gap_lengths = np.unique(gap_len[short])
        V, G = len(self.unit_lengths), len(self.gap_lengths)
        self.n_cols = V + G
        # Sparse histograms as (document, column, count) entries sorted by document: columns
        # [0, V) unit lengths, [V, V + G) short gap lengths.
        doc = np.r_[unit_doc, gap_doc[short]]
        col = np.r_[
            np.searchsorted(self.unit_lengths, unit_len),
            V + np.searchsorted(self.gap_lengths, gap_len[short]),
        ]
        width = max(self.n_cols, 1)
        key, count = np.unique(doc * width + col, return_counts=True)
        self.entry_doc, self.entry_col, self.entry_count = key // width, key % width, count
        self.doc_start = np.searchsorted(self.entry_doc, np.arange(n_docs + 1))
        # Exact in float32 if weights x counts can never reach 2^24: row sums of W are at most
        # D (multinomial) and a document's count in one column is at most max(count).
        self.float32_exact = n_docs * int(count.max(initial=0)) < (1 << 24)
        lu, lg = unit_len.astype(np.float64), gap_len[~short].astype(np.float64)
        self.separable = np.stack(
            [
                np.bincount(unit_doc, lu**2, n_docs),
                np.bincount(unit_doc, lu**3, n_docs),
                np.bincount(gap_doc[~short], lg + 1.0, n_docs),
                np.bincount(gap_doc[~short], None, n_docs).astype(np.float64),
            ],
            axis=1,
        )
        u = self.unit_lengths.astype(np.float64)
        self.pair_weight = np.maximum(self.gap_lengths[None, :] - u[:, None] + 1.0, 0.0)  # V x G

    def histograms(self, W: np.ndarray) -> np.ndarray:
        """``W @ H`` (B, V + G) for document weights W (B x D), one block of documents at a
        time; exact integer sums (float32 only when ``float32_exact``)."""
        C = self.n_cols
        dtype = np.float32 if self.float32_exact else np.float64
        out = np.zeros((len(W), C), dtype=np.float64)
        if C == 0 or len(self.entry_doc) == 0:
            return out
        Wt: np.ndarray = W.astype(dtype, copy=False)
        # Blocks of documents small enough that a dense block never outgrows the histogram
        # entries much (memory linear in the units and gaps), and at most _BLOCK_BYTES.
        size = np.dtype(dtype).itemsize
        budget = min(self._BLOCK_BYTES, max(1 << 20, 32 * len(self.entry_doc) * size))
        block = max(1, budget // (C * size))
        for d0 in range(0, self.n_docs, block):
            d1 = min(d0 + block, self.n_docs)
            lo, hi = self.doc_start[d0], self.doc_start[d1]
            if lo == hi:
                continue
            dense = np.zeros((d1 - d0) * C, dtype=dtype)
            idx = (self.entry_doc[lo:hi] - d0) * C + self.entry_col[lo:hi]
            dense[idx] = self.entry_count[lo:hi]
            out += Wt[:, d0:d1] @ dense.reshape(d1 - d0, C)
        return out

    def replicates(self, W: np.ndarray) -> np.ndarray:
        """The term for each row of weights W (B x D)."""
        W = np.asarray(W, dtype=np.float64)
        V = len(self.unit_lengths)
        s = W @ self.separable  # (B, 4): W a2, W a3, W c1, W c0
        total: np.ndarray = s[:, 0] * s[:, 2] - s[:, 1] * s[:, 3]
        if len(self.gap_lengths) and V:
            h = self.histograms(W)
            units, gaps = h[:, :V], h[:, V:]
            u = self.unit_lengths.astype(np.float64)
            total += (units * u**2 * (gaps @ self.pair_weight.T)).sum(axis=1)
        return total
