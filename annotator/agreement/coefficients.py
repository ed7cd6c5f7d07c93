"""Agreement coefficients on predefined units (reliability data: coders x units).

Input shape everywhere: ``data[i][u]`` is the value coder ``i`` gave unit ``u``; ``None`` or NaN
marks a missing value. A numeric numpy array (float with NaN for missing, or any integer/bool
dtype) is used as is, without copying it into Python objects, so character-level presence data
millions of units long stays fast. Values may be numbers or any hashable objects (strings);
ordinal data with non-numeric values needs ``value_domain`` for their order.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .results import AlphaResult, KappaResult, Result

LEVELS = ("nominal", "ordinal", "interval", "ratio")
# Largest values x units count matrix built densely (float64 cells); beyond it a sparse form.
_DENSE_CELLS = 1 << 24


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except (TypeError, ValueError):
        return False


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _as_2d(data: Any) -> np.ndarray:
    """Coders x units array: numeric (float with NaN for missing) or object."""
    if isinstance(data, np.ndarray):
        arr = data
    else:
        rows = list(data)
        if not rows:
            return np.zeros((0, 0))
        if all(isinstance(r, np.ndarray) for r in rows):
            if len({r.shape for r in rows}) > 1:
                raise ValueError("every coder's row must cover the same units (equal lengths)")
            arr = np.vstack(rows)
        else:
            rows = [list(r) for r in rows]
            if len({len(r) for r in rows}) > 1:
                raise ValueError("every coder's row must cover the same units (equal lengths)")
            flat = [v for r in rows for v in r]
            numeric = all(
                _is_missing(v) or (isinstance(v, numbers.Real) and not isinstance(v, str))
                for v in flat
            )
            if numeric:
                arr = np.array(
                    [[np.nan if _is_missing(v) else float(v) for v in r] for r in rows],
                    dtype=float,
                ).reshape(len(rows), -1)
            else:
                arr = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
                for i, r in enumerate(rows):
                    arr[i, :] = r
    if arr.ndim != 2:
        raise ValueError("reliability data must be two-dimensional: coders x units")
    return arr


def _encode_numeric(
    x: np.ndarray, value_domain: Sequence[Any] | None
) -> tuple[np.ndarray, list[Any]]:
    if x.dtype.kind == "b":
        x = x.astype(np.uint8)
    # ``mask`` marks the present cells, and is None when no cell is missing.
    mask: np.ndarray | None = ~np.isnan(x) if x.dtype.kind == "f" else None
    if mask is not None and mask.all():
        mask = None
    missing = mask is not None
    if x.size == 0 or (mask is not None and not mask.any()):
        return np.full(x.shape, -1, dtype=np.int32), []
    lo, hi = (np.nanmin(x), np.nanmax(x)) if missing else (x.min(), x.max())
    if x.dtype.kind == "f" and (np.isinf(lo) or np.isinf(hi)):
        raise ValueError("reliability data contains an infinite value")
    if x.dtype.kind in "iu":
        # Ranges and shifts in Python ints: hi - lo of an int8 array can overflow int8.
        lo, hi = int(lo), int(hi)
    codes: np.ndarray | None = None
    if value_domain is not None:
        try:
            dom = np.asarray(list(value_domain), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError("value_domain must hold numbers for numeric data") from exc
        if len(np.unique(dom)) != len(dom):
            raise ValueError("value_domain contains a value twice")
        order = np.argsort(dom, kind="stable")
        sorted_dom = dom[order]
        filled = np.where(mask, x, sorted_dom[0]) if mask is not None else x
        pos = np.clip(np.searchsorted(sorted_dom, filled), 0, len(dom) - 1)
        bad = sorted_dom[pos] != filled
        if bad.any():
            raise ValueError(f"value {_fmt(filled[bad][0])} is not in value_domain")
        codes, values = order[pos].astype(np.int32), [v.item() for v in dom]
    else:
        if hi - lo < (1 << 20):
            span = int(hi - lo) + 1
            # Small integer range: a lookup table instead of sorting millions of cells, in
            # one-byte codes for up to 127 values (presence data: 0/1), so later passes are cheap.
            if lo == 0:
                shifted = x
            elif x.dtype.kind == "i":
                shifted = x.astype(np.int64) - lo  # exact: the range is below 2^20
            elif x.dtype.kind == "u":
                shifted = x - x.dtype.type(lo)  # no wrap-around: every value is >= lo
            else:
                shifted = x - lo
            if mask is not None:
                shifted = np.where(mask, shifted, 0)
            dtype = np.int8 if span < 128 else np.int32
            offsets = shifted.astype(dtype)
            if x.dtype.kind != "f" or np.array_equal(offsets, shifted):
                if span <= 16:
                    seen = np.array([(offsets == v).any() for v in range(span)])
                else:
                    seen = np.bincount(offsets.ravel(), minlength=span) > 0
                lookup = (np.cumsum(seen) - 1).astype(dtype)
                codes = offsets if seen.all() else lookup[offsets]
                values = [lo + int(v) for v in np.flatnonzero(seen)]
                if x.dtype.kind == "f":
                    values = [float(v) for v in values]
        if codes is None:
            # The filler is the smallest observed value, so it adds no value of its own.
            filler = np.where(mask, x, lo) if mask is not None else x
            uniq, inverse = np.unique(filler, return_inverse=True)
            codes, values = inverse.reshape(x.shape).astype(np.int32), [v.item() for v in uniq]
    if mask is not None:
        codes[~mask] = -1
    return codes, values


def _encode(
    data: Any, value_domain: Sequence[Any] | None = None, level: str = "nominal"
) -> tuple[np.ndarray, list[Any]]:
    """Return (codes, values): codes[i, u] indexes ``values`` or is -1 for a missing value."""
    arr = _as_2d(data)
    if arr.dtype.kind in "biuf":
        return _encode_numeric(arr, value_domain)
    if arr.dtype.kind != "O":
        arr = arr.astype(object)
    missing = np.frompyfunc(_is_missing, 1, 1)(arr).astype(bool)
    present = arr[~missing].tolist()
    if value_domain is not None:
        values = list(value_domain)
    else:
        try:
            values = sorted(set(present))
        except TypeError as exc:
            if level != "nominal":
                raise ValueError(
                    "values of mixed types cannot be ordered; pass value_domain"
                ) from exc
            values = sorted(set(present), key=repr)
    index = {v: i for i, v in enumerate(values)}
    if len(index) != len(values):
        raise ValueError("value_domain contains a value twice")
    codes = np.full(arr.shape, -1, dtype=np.int32)
    try:
        codes[~missing] = [index[v] for v in present]
    except KeyError as exc:
        raise ValueError(f"value {exc.args[0]!r} is not in value_domain") from exc
    return codes, values


class _Counts:
    """The values x units count matrix C restricted to pairable units (m_u >= 2)."""

    def __init__(self, codes: np.ndarray, n_values: int):
        present = codes >= 0
        rows = len(codes)
        # Few coders: add rows (fast); many: one reduction over the coder axis.
        if 0 < rows <= 8:
            m = sum(present[i].astype(np.int32) for i in range(rows))
        else:
            m = present.sum(axis=0)
        keep = m >= 2
        if not keep.all():
            codes, present, m = codes[:, keep], present[:, keep], m[keep]
        self.m = np.asarray(m, dtype=np.float64)
        self.n_units = len(self.m)
        self.n_values = n_values
        self.dense: np.ndarray | None = None
        if n_values * self.n_units <= _DENSE_CELLS and rows * n_values <= 64:
            self.dense = np.zeros((n_values, self.n_units))
            for v in range(n_values - 1):
                for i in range(rows):
                    self.dense[v] += codes[i] == v
            if n_values:  # the last value's count is what the others leave of m
                self.dense[-1] = self.m - self.dense[:-1].sum(axis=0)
        elif n_values * self.n_units <= _DENSE_CELLS:
            unit = np.broadcast_to(np.arange(self.n_units), codes.shape)[present]
            flat = np.bincount(unit * n_values + codes[present], minlength=self.n_units * n_values)
            self.dense = flat.reshape(self.n_units, n_values).T.astype(np.float64)
        else:
            unit = np.broadcast_to(np.arange(self.n_units), codes.shape)[present]
            keys, cnt = np.unique(unit * n_values + codes[present], return_counts=True)
            self.unit, self.value, self.cnt = keys // n_values, keys % n_values, cnt.astype(float)

    def value_totals(self) -> np.ndarray:
        """n_c: how many pairable values equal c (exact integers)."""
        if self.dense is not None:
            totals: np.ndarray = self.dense.sum(axis=1)
            return totals
        return np.bincount(self.value, weights=self.cnt, minlength=self.n_values)

    def coincidences(self) -> np.ndarray:
        """o = C^T diag(w) C - diag(C^T w) with w_u = 1 / (m_u - 1)."""
        V = self.n_values
        w = 1.0 / (self.m - 1.0)
        if self.dense is not None:
            C = self.dense
            o: np.ndarray = (C * w) @ C.T - np.diag(C @ w)
            return o
        unit, value, cnt = self.unit, self.value, self.cnt
        wu = w[unit]
        flat = np.bincount(value * (V + 1), weights=cnt * (cnt - 1) * wu, minlength=V * V)
        lag = 1  # entries are sorted by unit, so the values of one unit are contiguous
        while lag < len(unit):
            i = np.flatnonzero(unit[lag:] == unit[:-lag])
            if len(i) == 0:
                break
            j, val = i + lag, cnt[i] * cnt[i + lag] * wu[i]
            flat += np.bincount(value[i] * V + value[j], weights=val, minlength=V * V)
            flat += np.bincount(value[j] * V + value[i], weights=val, minlength=V * V)
            lag += 1
        return flat.reshape(V, V)

    def agreeing_pair_share_sum(self) -> float:
        """Sum over units of the share of agreeing ordered coder pairs."""
        pairs = self.m * (self.m - 1.0)
        if self.dense is not None:
            same = (self.dense * (self.dense - 1.0)).sum(axis=0)
        else:
            same = np.bincount(self.unit, self.cnt * (self.cnt - 1), minlength=self.n_units)
        return float((same / pairs).sum())


def _delta(level: str, values: list[Any], n_c: np.ndarray) -> np.ndarray:
    """Squared difference matrix delta^2_ck (Krippendorff 2011)."""
    V = len(n_c)
    if level == "nominal":
        nominal: np.ndarray = 1.0 - np.eye(V)
        return nominal
    if level == "ordinal":
        idx = np.arange(V)
        lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
        cs = np.cumsum(n_c)
        between = cs[hi] - cs[lo] + n_c[lo]  # sum of n_g for g from c to k
        ordinal: np.ndarray = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
        return ordinal
    x = np.asarray(values, dtype=float)
    diff = np.subtract.outer(x, x)
    if level == "interval":
        interval: np.ndarray = diff**2
        return interval
    total = np.add.outer(x, x)
    ratio: np.ndarray = np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2
    return ratio


def _check_level(level: str, values: list[Any]) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if level in ("interval", "ratio"):
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            raise ValueError(f"the {level} level needs numeric values")
        if level == "ratio" and any(v < 0 for v in values):
            raise ValueError("the ratio level needs non-negative values")


def krippendorff_alpha(
    data: Any, level: str = "nominal", value_domain: Sequence[Any] | None = None
) -> AlphaResult:
    """Krippendorff's alpha for coders x units reliability data with missing values.

    Formula (Krippendorff 2004; "Computing Krippendorff's Alpha-Reliability", 2011):
    coincidences ``o_ck = sum_u (ordered c-k value pairs in u) / (m_u - 1)`` over units with
    ``m_u >= 2`` values, computed as ``o = C^T diag(w) C - diag(C^T w)`` from the units x values
    count matrix C and ``w_u = 1 / (m_u - 1)``; ``n_c = sum_k o_ck``, ``n = sum_c n_c``;
    ``D_o = sum o_ck d2_ck / n``, ``D_e = sum n_c n_k d2_ck / (n (n - 1))``,
    ``alpha = 1 - D_o / D_e``. Distances: nominal ``[c != k]``, interval ``(c - k)^2``, ratio
    ``((c - k) / (c + k))^2``, ordinal ``(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2`` in the order of
    ``value_domain`` (default: sorted values).

    Input: ``data[i][u]`` (coders x units), ``None``/NaN missing; or a numeric numpy array.
    Degenerate input: no unit with two values, or a single value in all pairable data, gives
    ``value=None`` with the reason. Unknown level, a value outside ``value_domain``, non-numeric
    interval/ratio data or negative ratio data raise ValueError.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    codes, values = _encode(data, value_domain, level)
    _check_level(level, values)
    counts = _Counts(codes, len(values))
    n_c = counts.value_totals()
    n = n_c.sum()
    if n == 0:
        return AlphaResult(None, "no unit has two or more values")
    used = np.flatnonzero(n_c > 0)
    if len(used) < 2:
        return AlphaResult(None, f"all coders used a single value ({_fmt(values[used[0]])})")
    delta = _delta(level, values, n_c)
    d_o = float((counts.coincidences() * delta).sum() / n)
    d_e = float((np.outer(n_c, n_c) * delta).sum() / (n * (n - 1)))
    return AlphaResult(1.0 - d_o / d_e, d_o=d_o, d_e=d_e)


def percent_agreement(data: Any) -> Result:
    """Percent agreement: mean over units of the share of agreeing ordered coder pairs.

    Formula: for each unit u with ``m_u >= 2`` values,
    ``sum_c n_uc (n_uc - 1) / (m_u (m_u - 1))``; the mean over those units (as in
    Krippendorff 2004 and Fleiss 1971's ``P_i``). Input: coders x units, ``None``/NaN missing.
    Degenerate input: no unit with two or more values gives ``value=None`` with the reason.
    """
    codes, values = _encode(data)
    counts = _Counts(codes, len(values))
    if counts.n_units == 0:
        return Result(None, "no unit has two or more values")
    return Result(counts.agreeing_pair_share_sum() / counts.n_units)


def _two_coder_table(a: Sequence[Any], b: Sequence[Any]) -> tuple[np.ndarray, list[Any]]:
    if len(a) != len(b):
        raise ValueError("both coders' sequences must cover the same units (equal lengths)")
    codes, values = _encode([a, b])
    codes = codes.astype(np.int64)  # one-byte codes would overflow in the key below
    both = (codes >= 0).all(axis=0)
    V = len(values)
    keys = codes[0, both] * V + codes[1, both]
    return np.bincount(keys, minlength=V * V).reshape(V, V), values


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> KappaResult:
    """Cohen's kappa for two coders.

    Formula (Cohen 1960): ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k p1(k) p2(k)``
    from each coder's own marginals; computed in exact integer arithmetic.
    Input: two equally long sequences of values over the same units. Units where either coder's
    value is missing (``None``/NaN) are dropped. Degenerate input: no unit coded by both, or
    both coders using one and the same value throughout (``p_e = 1``), gives ``value=None``.
    """
    table, values = _two_coder_table(a, b)
    n = int(table.sum())
    if n == 0:
        return KappaResult(None, "no unit has values from both coders")
    agree = int(np.trace(table))
    chance = int((table.sum(axis=1) * table.sum(axis=0)).sum())
    if n * n == chance:
        v = _fmt(values[int(np.flatnonzero(table.sum(axis=1))[0])])
        return KappaResult(None, f"both coders used the single value {v} for every unit")
    return KappaResult((n * agree - chance) / (n * n - chance), p_o=agree / n, p_e=chance / n**2)


def scott_pi(a: Sequence[Any], b: Sequence[Any]) -> KappaResult:
    """Scott's pi for two coders.

    Formula (Scott 1955): ``pi = (p_o - p_e) / (1 - p_e)`` with ``p_e = sum_k p(k)^2`` from the
    two coders' pooled marginals; computed in exact integer arithmetic.
    Input: two equally long sequences of values over the same units. Units where either coder's
    value is missing (``None``/NaN) are dropped. Degenerate input: no unit coded by both, or a
    single value used throughout (``p_e = 1``), gives ``value=None`` with the reason.
    """
    table, values = _two_coder_table(a, b)
    n = int(table.sum())
    if n == 0:
        return KappaResult(None, "no unit has values from both coders")
    agree = int(np.trace(table))
    pooled = table.sum(axis=1) + table.sum(axis=0)
    chance4 = int((pooled * pooled).sum())  # (2n)^2 p_e
    if 4 * n * n == chance4:
        v = _fmt(values[int(np.flatnonzero(pooled)[0])])
        return KappaResult(None, f"both coders used the single value {v} for every unit")
    return KappaResult(
        (4 * n * agree - chance4) / (4 * n * n - chance4), p_o=agree / n, p_e=chance4 / (4 * n * n)
    )


def fleiss_kappa(data: Any) -> KappaResult:
    """Fleiss' kappa for m coders who all rated every unit.

    Formula (Fleiss 1971): ``P_i = sum_j n_ij (n_ij - 1) / (n (n - 1))``, ``P = mean_i P_i``,
    ``p_j = sum_i n_ij / (N n)``, ``P_e = sum_j p_j^2``, ``kappa = (P - P_e) / (1 - P_e)``.
    Input: coders x units. A unit with fewer than two values holds no pairable value and is
    left out, exactly like a unit nobody rated (one coder alone is not "missing data" for the
    others). Degenerate input: a missing value in a unit that two or more coders rated (the
    coefficient assumes every unit has the same n ratings, so we do not guess), fewer than two
    coders, no unit with two values, or a single category used throughout gives
    ``value=None`` with the reason.
    """
    codes, values = _encode(data)
    m, N = codes.shape
    if m < 2:
        return KappaResult(None, "Fleiss' kappa needs at least two coders")
    if N == 0:
        return KappaResult(None, "there are no units")
    codes = codes[:, (codes >= 0).sum(axis=0) >= 2]
    N = codes.shape[1]
    if N == 0:
        return KappaResult(None, "no unit has values from two or more coders")
    missing = int((codes < 0).sum())
    if missing:
        return KappaResult(
            None,
            f"Fleiss' kappa needs every coder to rate every unit; {missing} values are missing",
        )
    counts = np.stack([(codes == v).sum(axis=0) for v in range(len(values))]).astype(float)
    p_bar = float(((counts * (counts - 1)).sum(axis=0) / (m * (m - 1))).mean())
    p_j = counts.sum(axis=1) / (N * m)
    if (p_j > 0).sum() < 2:
        v = _fmt(values[int(np.flatnonzero(p_j)[0])])
        return KappaResult(None, f"all coders used a single value ({v})")
    p_e = float((p_j**2).sum())
    return KappaResult((p_bar - p_e) / (1.0 - p_e), p_o=p_bar, p_e=p_e)
