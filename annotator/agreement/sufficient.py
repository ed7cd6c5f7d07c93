"""Coefficients of binary presence data from summed per-document sufficient statistics.

Vectorised over a leading axis of bootstrap replicates (the point estimate is one replicate
with every document once). Undefined values are NaN here; ``wording.py`` says why.

- Nominal alpha of a binary variable (Krippendorff 2011): with coincidences o00, o01 (= o10),
  o11, ``n0 = o00 + o01``, ``n1 = o11 + o01``, ``alpha = 1 - (n - 1) o01 / (n0 n1)``.
- Cohen's kappa (Cohen 1960) from 2 x 2 tables; Fleiss' kappa (Fleiss 1971) and percent
  agreement from the per-unit shares of agreeing coder pairs; span F1 from TP and counts.
- alpha_u from its summed components and the bilinear unit x gap term (``unitizing.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .unitizing import disagreements


def binary_alpha(o: np.ndarray) -> np.ndarray:
    """Nominal alpha of a binary variable from coincidences [..., (o00, o01, o11)]."""
    o00, o01, o11 = o[..., 0], o[..., 1], o[..., 2]
    n0, n1 = o00 + o01, o11 + o01
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 1.0 - (n0 + n1 - 1.0) * o01 / (n0 * n1)
    return np.where((n0 > 0) & (n1 > 0), value, np.nan)


def _kappa(t: np.ndarray) -> np.ndarray:
    """Cohen's kappa from 2 x 2 tables [..., (n11, n10, n01, n00)]."""
    n11, n10, n01, n00 = (t[..., i] for i in range(4))
    n = n11 + n10 + n01 + n00
    chance = (n11 + n10) * (n11 + n01) + (n01 + n00) * (n10 + n00)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (n * (n11 + n00) - chance) / (n * n - chance)
    return np.where((n > 0) & (n11 < n) & (n00 < n), value, np.nan)


def _f1(t: np.ndarray, column: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 2.0 * t[..., column] / (t[..., 2] + t[..., 3])
    return np.where(t[..., 2] + t[..., 3] > 0, value, np.nan)


def _with_overall(per_code: np.ndarray, overall: np.ndarray) -> np.ndarray:
    """Stack per-code values (B, K) and the pooled value (B,) into (B, K + 1)."""
    return np.concatenate([per_code, overall[:, None]], axis=1)


def evaluate(
    agg: dict[str, np.ndarray], bilinear: np.ndarray, fleiss_defined: bool
) -> dict[str, Any]:
    """All coefficients from summed statistics ``agg`` (leading axis B) and alpha_u's bilinear
    term (B, K): arrays (B, K + 1[, P]) in which index K is the value over all codes, plus
    ``"d_components"``, alpha_u's per-code (D_O, D_E)."""
    out: dict[str, Any] = {}
    o = agg["char_o"]
    out["char_alpha"] = _with_overall(binary_alpha(o), binary_alpha(o.sum(1)))
    out["token_alpha"] = _with_overall(
        binary_alpha(agg["tok_o"]), binary_alpha(agg["tok_o"].sum(1))
    )
    units, share, ones = agg["char_units"][:, None], agg["char_share"], agg["char_ones"]
    K = share.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = _with_overall(share / units, share.sum(1) / (units[:, 0] * K))
        marks = _with_overall(ones, ones.sum(1))
        items = np.concatenate([np.repeat(units, K, 1), units * K], axis=1)
        raters = agg["u_T"][:, None] / agg["u_L"][:, None]  # R on complete data
        p1 = marks / (items * raters)
        p_e = p1**2 + (1.0 - p1) ** 2
        fleiss = (pa - p_e) / (1.0 - p_e)
    out["percent_agreement"] = np.where(items > 0, pa, np.nan)
    ok = fleiss_defined & (items > 0) & (marks > 0) & (marks < items * raters)
    out["fleiss_kappa"] = np.where(ok, fleiss, np.nan)
    tables = agg["pair_tables"]
    out["kappa"] = np.concatenate([_kappa(tables), _kappa(tables.sum(1))[:, None]], axis=1)
    f1 = np.concatenate([agg["f1"], agg["f1"].sum(1, keepdims=True)], axis=1)
    out["f1_exact"], out["f1_overlap"] = _f1(f1, 0), _f1(f1, 1)
    for name in ("kappa", "f1_exact", "f1_overlap"):  # NaN if any pair is undefined
        out[name + "_mean"] = out[name].mean(axis=2) if out[name].shape[2] else np.nan * pa
    parts = {name[2:]: agg[name] for name in agg if name.startswith("u_")}
    d_o, d_e = disagreements(parts, bilinear)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where((parts["N"] > 0) & (d_e > 0), 1.0 - d_o / d_e, np.nan)
        total = 1.0 - d_o.sum(1) / d_e.sum(1)
    out["alpha_u"] = _with_overall(alpha, np.where(d_e.sum(1) > 0, total, np.nan))
    out["d_components"] = (d_o, d_e)
    return out


class Summer:
    """Weighted sums over documents of every statistic at once: one matrix product."""

    def __init__(self, linear: dict[str, np.ndarray]):
        self.layout = [(name, arr.shape[1:]) for name, arr in linear.items()]
        n_docs = len(next(iter(linear.values()))) if linear else 0
        self.matrix = np.concatenate([arr.reshape(n_docs, -1) for arr in linear.values()], axis=1)

    def __call__(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """(B, D) document weights -> {name: (B, ...) weighted sums}."""
        return self.split(weights @ self.matrix)

    def split(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """(B, columns) sums -> {name: (B, ...)} in the layout of the statistics."""
        out, at = {}, 0
        for name, shape in self.layout:
            size = int(np.prod(shape, dtype=np.int64))
            out[name] = flat[:, at : at + size].reshape(len(flat), *shape)
            at += size
        return out

    def leave_one_out(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """The sums over all documents but d, for d in [start, stop) (the jackknife)."""
        return self.split(self.matrix.sum(axis=0)[None, :] - self.matrix[start:stop])
