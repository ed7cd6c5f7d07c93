"""Document-level percentile bootstrap from per-document sufficient statistics.

A replicate draws D documents with replacement from the D documents used; document d appears
``w_d`` times, ``w ~ Multinomial(D, 1/D, ..., 1/D)`` (numpy Generator, seedable). Every
coefficient in this package is a function of per-document sums, so a replicate's statistics are
``w @ S`` for the per-document matrix S: no replicate goes back to characters. The one
non-additive quantity, alpha_u's unit x gap term, is a bilinear form ``w^T F w`` in the weights
(F[d, e] pairs units of document d with gaps of document e), evaluated exactly.

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

import numpy as np

CHUNK = 100  # replicates drawn and evaluated at a time (fixed, so a seed fixes every draw)
_MATRIX_DOCS = 4000  # up to this many documents the bilinear term uses a D x D matrix (128 MiB)


def resample_weights(n_docs: int, replicates: int, seed) -> Iterator[np.ndarray]:
    """Yield (chunk, n_docs) float arrays of multinomial document counts, CHUNK rows at a time."""
    rng = np.random.default_rng(seed)
    p = np.full(n_docs, 1.0 / n_docs)
    done = 0
    while done < replicates:
        size = min(CHUNK, replicates - done)
        yield rng.multinomial(n_docs, p, size=size).astype(np.float64)
        done += size


def percentile_interval(values: np.ndarray, confidence: float):
    """(low, high, defined replicates) of the finite values; (None, None, 0) if there are none."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return None, None, 0
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), int(len(finite))


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
    per_document,
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
    """``w^T F w`` with ``F[d, e] = sum over units u of d and gaps γ of e with l_γ >= l_u of
    l_u^2 (l_γ - l_u + 1)``: alpha_u's unit x gap term under document weights w."""

    def __init__(self, unit_doc, unit_len, gap_doc, gap_len, n_docs: int):
        lengths = np.r_[gap_len, unit_len].astype(np.float64)
        is_unit = np.r_[np.zeros(len(gap_len), bool), np.ones(len(unit_len), bool)]
        # Longest first, a gap before a unit of equal length: gaps before a unit are its gaps.
        order = np.lexsort((is_unit, -lengths))
        self.lengths, self.is_unit = lengths[order], is_unit[order]
        self.docs = np.r_[gap_doc, unit_doc].astype(np.int64)[order]
        self.n_docs = n_docs
        self._matrix: tuple[int, np.ndarray] | None = None  # (block, F), computed once

    def matrix(self, block: int = 256) -> np.ndarray:
        """F (D x D). The sorted sequence is cut into blocks: gaps in earlier blocks reach a
        unit through one matrix product; gaps earlier in the unit's own block pair directly."""
        if self._matrix is not None and self._matrix[0] == block:
            return self._matrix[1]
        D, n = self.n_docs, len(self.lengths)
        ln, unit, docs = self.lengths, self.is_unit, self.docs
        gap = ~unit
        nb = max(1, -(-n // block))
        blk = np.arange(n) // block
        c1 = np.bincount(blk[gap] * D + docs[gap], ln[gap] + 1.0, nb * D).reshape(nb, D)
        c0 = np.bincount(blk[gap] * D + docs[gap], None, nb * D).reshape(nb, D).astype(float)
        c1, c0 = np.cumsum(c1, axis=0) - c1, np.cumsum(c0, axis=0) - c0  # blocks before b
        lu = ln[unit]
        a2 = np.bincount(docs[unit] * nb + blk[unit], lu**2, D * nb).reshape(D, nb)
        a3 = np.bincount(docs[unit] * nb + blk[unit], lu**3, D * nb).reshape(D, nb)
        F = a2 @ c1 - a3 @ c0
        gap_at, unit_at = np.flatnonzero(gap), np.flatnonzero(unit)
        first = np.searchsorted(gap_at, unit_at // block * block)  # first gap of the block
        count = np.searchsorted(gap_at, unit_at) - first  # gaps before the unit in its block
        step = max(1, (1 << 22) // block)  # units per pass, bounding the pairs in memory
        for u0 in range(0, len(unit_at), step):
            cnt = count[u0 : u0 + step]
            which = np.repeat(np.arange(u0, u0 + len(cnt)), cnt)
            offset = np.arange(len(which)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            i, j = gap_at[first[which] + offset], unit_at[which]
            w = ln[j] ** 2 * (ln[i] + 1.0 - ln[j])
            F += np.bincount(docs[j] * D + docs[i], w, D * D).reshape(D, D)
        self._matrix = (block, F)
        return F

    def replicates(self, W: np.ndarray) -> np.ndarray:
        """The term for each row of weights W (B x D)."""
        if self.n_docs <= _MATRIX_DOCS:
            return np.einsum("bd,bd->b", W @ self.matrix(), W)
        return self._direct(W)

    def _direct(self, W: np.ndarray) -> np.ndarray:
        """Row by row from the sorted sequence: weighted prefix sums over the gaps."""
        ln, unit, docs = self.lengths, self.is_unit, self.docs
        gap_plus = np.where(unit, 0.0, ln + 1.0)
        gap_one = np.where(unit, 0.0, 1.0)
        lu = ln[unit]
        out = np.empty(len(W))
        rows = max(1, (1 << 23) // max(len(ln), 1))
        for r0 in range(0, len(W), rows):
            Wd = W[r0 : r0 + rows][:, docs]
            s1 = np.cumsum(Wd * gap_plus, axis=1)[:, unit]
            s0 = np.cumsum(Wd * gap_one, axis=1)[:, unit]
            out[r0 : r0 + rows] = (Wd[:, unit] * lu**2 * (s1 - lu * s0)).sum(axis=1)
        return out
