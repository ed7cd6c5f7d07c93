"""Krippendorff's unitized alpha, alpha_u (Krippendorff 1995; 2004, section 11.6).

The variant computed (``VARIANT``, also stated in every result): Krippendorff's alpha_u of
1995/2004 as in DKPro Statistics, with other codes invisible to code c, pooled over documents;
not the 2016 u-alpha family (|u alpha, c|u alpha, ...).

Units (``UNIT_RULE``): a coder's segment of code c is one unit. **Touching** segments of one
coder and code ([0, 5) and [5, 10)) stay two units: one unit against two abutting units is the
boundary disagreement alpha_u measures (Krippendorff 1995, examples B and D). Only
**overlapping** segments of one coder and code, which the coefficient cannot represent (a
coder's units and gaps partition the continuum), are merged into their union; results say
how many were merged. Zero-length segments are ignored, as in DKPro Statistics.

Per code c, each coder's continuum is partitioned into that coder's units of c and the gaps
between them; units of other codes are invisible for c. With R coders and length L:

- ``D_O(c) = 2 / (R (R-1) L^2) * sum over coder pairs, over intersecting segment pairs (g, h),
  of d(g, h)``; ``d = (b_g - b_h)^2 + (e_g - e_h)^2`` for two intersecting units, ``d = l_g^2``
  when unit g lies entirely inside a gap h of the other coder (and vice versa), else 0.
- ``D_E(c) = (2/L) * sum_u [(N_c - 1)(2 l_u^3 - 3 l_u^2 + l_u)/3 + l_u^2 * sum over gaps γ of all
  coders with l_γ >= l_u of (l_γ - l_u + 1)] / (R L (R L - 1) - sum_u l_u (l_u - 1))``.
- ``alpha_u(c) = 1 - D_O(c) / D_E(c)``; over all codes ``1 - sum_c D_O(c) / sum_c D_E(c)``.

Several documents (the corpus coefficient used by the report). The corpus is the concatenation
of its documents, each coder restricted to the documents they count for (documents with fewer
than two such coders are left out), and a document boundary is always a segment boundary: no
unit or gap runs from one document into the next. (Letting a gap at the end of one document
run on into a gap at the start of the next would make the value depend on the order of the
documents, and a bootstrap replicate, a multiset of documents, has no order.) With L_d the
length and R_d the number of counted coders of document d, and sums over documents:

- ``L = sum L_d`` (the continuum), ``T = sum R_d L_d`` (the pooled coder-continua, "R L" above),
  ``P = sum R_d (R_d - 1) L_d`` (ordered coder pairs times length, "R (R-1) L" above);
- ``D_O(c) = 2 * sum_d dsum_d(c) / (P L)`` where dsum_d(c) is the sum of d over coder pairs
  counted for d: pairs only meet where both coders count;
- ``D_E(c) = (2/L) * [(N_c - 1) * sum_d S3_d + sum_u sum_γ l_u^2 (l_γ - l_u + 1)[l_γ >= l_u]] /
  (T (T - 1) - sum_d S2_d)`` with units and gaps taken from all counted coders of all documents,
  ``S3 = sum_u (2 l^3 - 3 l^2 + l)/3``, ``S2 = sum_u l (l - 1)``.

When every coder counts for every document this is exactly alpha_u of the concatenated
continuum (R_d = R gives T = R L and P = R (R-1) L) whenever no segment meets its like across
a boundary (e.g. every coder's every code starts each document with a unit and ends it with
a gap); the tests check this. Everything but the unit x gap term is a
sum of per-document components; that term is a bilinear form in the document weights, which
is what the bootstrap resamples (see ``bootstrap.py``).

Arithmetic: lengths, counts, S2 in 64-bit integers; terms with cubes and the bilinear sum in
64-bit floats (relative error ~1e-16; ``R L (R L - 1)`` would overflow 32 bits early).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import numpy.typing as npt

from .results import AlphaResult

NO_USABLE_DOCUMENT = "no non-empty document is coded by two or more counted coders"
VARIANT = (
    "Krippendorff's alpha_u of 1995/2004 as in DKPro Statistics, with other codes invisible "
    "to code c, pooled over documents as documented — not the 2016 u-alpha family "
    "(Krippendorff, Mathet, Bouvry & Widlöcher, Quality & Quantity)"
)
UNIT_RULE = (
    "touching same-code segments of one coder are separate units; only overlapping ones are "
    "merged into their union (alpha_u cannot represent overlapping units of one coder); "
    "zero-length segments are ignored"
)


def merge_note(merged: int) -> tuple[str, ...]:
    """The note a result carries when overlapping units of one coder were merged."""
    if not merged:
        return ()
    what = "segment was" if merged == 1 else "segments were"
    return (
        f"{merged} overlapping same-code {what} merged into another of the same coder "
        "(alpha_u cannot represent overlapping units of one coder; touching units stay apart)",
    )


def merge_overlapping(
    key: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of intervals that share a key and **overlap** (share a position); touching
    intervals (one ends where the next starts) stay apart. Vectorised.

    Input: equally long int arrays; intervals ``[start, end)`` with ``0 <= start < end``.
    Returns ``(key, start, end)`` sorted by key then start, all int64.
    """
    k, s, e = (np.asarray(a, dtype=np.int64) for a in (key, start, end))
    if len(k) == 0:
        return k, s, e
    ordered = (k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (s[1:] >= s[:-1]))
    if not ordered.all():
        order = np.lexsort((s, k))
        k, s, e = k[order], s[order], e[order]
    # Put every key's intervals on its own stretch of one line, so a running maximum of the
    # ends finds the runs of overlapping intervals without mixing keys.
    rank = np.cumsum(np.r_[0, k[1:] != k[:-1]])
    offset = rank * (int(e.max()) + 1)
    run_end = np.maximum.accumulate(e + offset)
    first = np.flatnonzero(np.r_[True, (s + offset)[1:] >= run_end[:-1]])
    if len(first) == len(k):
        return k, s, e
    last = np.r_[first[1:], len(k)] - 1
    return k[first], s[first], run_end[last] - offset[last]


def bilinear_by_group(
    unit_group: np.ndarray,
    unit_len: np.ndarray,
    gap_group: np.ndarray,
    gap_len: np.ndarray,
    n_groups: int,
) -> np.ndarray:
    """Per group: sum over its units u and its gaps γ with l_γ >= l_u of l_u^2 (l_γ - l_u + 1).

    Sorted gap lengths with prefix sums: O((U + G) log G).
    """
    out = np.zeros(n_groups)
    if len(unit_len) == 0 or len(gap_len) == 0:
        return out
    width = int(max(unit_len.max(), gap_len.max())) + 2
    key = gap_group.astype(np.int64) * width + gap_len
    order = np.argsort(key, kind="stable")
    key = key[order]
    plus_one = np.r_[0.0, np.cumsum(gap_len[order] + 1.0)]
    lo = np.searchsorted(key, unit_group.astype(np.int64) * width + unit_len, "left")
    hi = np.searchsorted(key, (unit_group.astype(np.int64) + 1) * width, "left")
    length = unit_len.astype(np.float64)
    term = length**2 * ((plus_one[hi] - plus_one[lo]) - length * (hi - lo))
    return np.bincount(unit_group, weights=term, minlength=n_groups)


@dataclass(frozen=True)
class UnitizingStats:
    """Per-document components of alpha_u for D documents x K codes (see module docstring)."""

    doc_len: np.ndarray  # (D,) L_d; documents with fewer than two counted coders have R_d = 0
    n_coders: np.ndarray  # (D,) R_d
    dsum: np.ndarray  # (D, K) sum of d over counted coder pairs
    n_units: np.ndarray  # (D, K)
    s2: np.ndarray  # (D, K) sum l (l - 1)
    s3: np.ndarray  # (D, K) sum (2 l^3 - 3 l^2 + l) / 3
    within: np.ndarray  # (D, K) the unit x gap term within each document
    unit_doc: np.ndarray
    unit_code: np.ndarray
    unit_len: np.ndarray
    gap_doc: np.ndarray
    gap_code: np.ndarray
    gap_len: np.ndarray
    overlaps_merged: int = 0  # segments absorbed into an overlapping one of the same coder

    def linear(self) -> dict[str, np.ndarray]:
        """The per-document components that add up over documents."""
        R, L = self.n_coders.astype(float), self.doc_len.astype(float)
        used = (R >= 2).astype(float)
        return {
            "L": L * used,
            "T": R * L,
            "P": R * (R - 1) * L,
            "dsum": self.dsum,
            "N": self.n_units,
            "S2": self.s2,
            "S3": self.s3,
        }

    def corpus_bilinear(self, n_codes: int) -> np.ndarray:
        """The unit x gap term over the whole corpus, per code."""
        return bilinear_by_group(
            self.unit_code, self.unit_len, self.gap_code, self.gap_len, n_codes
        )


def disagreements(
    parts: dict[str, np.ndarray], bilinear: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(D_O, D_E) per code from summed components; NaN where no document is usable."""
    L, T, P = parts["L"][..., None], parts["T"][..., None], parts["P"][..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        d_o = 2.0 * parts["dsum"] / (P * L)
        numerator = (parts["N"] - 1.0) * parts["S3"] + bilinear
        d_e = 2.0 * numerator / (L * (T * (T - 1.0) - parts["S2"]))
    d_e = np.where(parts["N"] > 0, d_e, 0.0)
    return d_o, d_e


def _observed_sums(
    g: np.ndarray,
    coder: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    counted: np.ndarray,
    doc: np.ndarray,
    n_groups: int,
    n_coders: int,
) -> np.ndarray:
    """Sum of d over every pair of counted coders, per (document, code) group."""
    dsum = np.zeros(n_groups)
    span = int(e.max()) + 1 if len(e) else 1
    for a in range(n_coders):
        for b in range(a + 1, n_coders):
            ia = np.flatnonzero((coder == a) & counted[doc, b])
            ib = np.flatnonzero((coder == b) & counted[doc, a])
            sa, ea = g[ia] * span + s[ia], g[ia] * span + e[ia]
            sb, eb = g[ib] * span + s[ib], g[ib] * span + e[ib]
            # A coder's units are disjoint and sorted, so their ends are sorted too.
            lo = np.searchsorted(eb, sa, "right")
            hi = np.searchsorted(sb, ea, "left")
            count = np.maximum(hi - lo, 0)
            pa = np.repeat(np.arange(len(ia)), count)
            pb = lo[pa] + np.arange(len(pa)) - np.repeat(np.cumsum(count) - count, count)
            d = (sa[pa] - sb[pb]) ** 2 + (ea[pa] - eb[pb]) ** 2
            dsum += np.bincount(g[ia][pa], weights=d.astype(float), minlength=n_groups)
            alone_a = count == 0  # a unit meeting no unit of the other coder lies in a gap
            alone_b = np.bincount(pb, minlength=len(ib)) == 0
            la, lb = (ea - sa)[alone_a].astype(float), (eb - sb)[alone_b].astype(float)
            dsum += np.bincount(g[ia][alone_a], weights=la**2, minlength=n_groups)
            dsum += np.bincount(g[ib][alone_b], weights=lb**2, minlength=n_groups)
    return dsum


def unitizing_stats(
    doc: Any,
    coder: Any,
    code: Any,
    start: Any,
    end: Any,
    *,
    doc_len: Any,
    counted: Any,
    n_codes: int,
) -> UnitizingStats:
    """Components of alpha_u for D documents, K codes and R coders (vectorised).

    Input: int arrays of segments (document index, coder index, code index, start, end)
    relative to each document; ``doc_len`` (D,); ``counted`` (D, R) bool, who counts for each
    document. Segments of coders who do not count, and zero-length segments, are ignored.
    Units follow ``UNIT_RULE``: touching segments of one coder and code stay apart, overlapping
    ones are merged (``overlaps_merged`` counts the segments absorbed).
    """
    doc_len = np.asarray(doc_len, dtype=np.int64)
    counted = np.asarray(counted, dtype=bool)
    counted = counted & (counted.sum(axis=1) >= 2)[:, None]
    D, R = counted.shape
    K = n_codes
    doc, coder, code = (np.asarray(x, dtype=np.int64) for x in (doc, coder, code))
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    keep = counted[doc, coder] & (end > start)
    key, s, e = merge_overlapping(
        (doc[keep] * K + code[keep]) * R + coder[keep], start[keep], end[keep]
    )
    overlaps_merged = int(keep.sum()) - len(key)
    g, c = key // R, key % R
    d = g // K
    length = e - s
    # Gaps: before each unit, after a coder's last unit, and whole documents left unmarked.
    first = np.r_[True, key[1:] != key[:-1]]
    last = np.r_[key[1:] != key[:-1], True]
    before = s - np.where(first, 0, np.r_[0, e[:-1]])
    after = doc_len[d] - e
    marked = np.zeros(D * K * R, dtype=bool)
    marked[key] = True
    blank = np.flatnonzero(~marked & np.repeat(counted, K, axis=0).reshape(-1))
    gap_key = np.concatenate([key[before > 0], key[last & (after > 0)], blank])
    gap_len = np.concatenate(
        [before[before > 0], after[last & (after > 0)], doc_len[blank // (K * R)]]
    )
    gap_g = gap_key // R
    n_groups = D * K
    lf = length.astype(np.float64)
    return UnitizingStats(
        doc_len=doc_len,
        n_coders=counted.sum(axis=1),
        dsum=_observed_sums(g, c, s, e, counted, d, n_groups, R).reshape(D, K),
        n_units=np.bincount(g, minlength=n_groups).reshape(D, K).astype(float),
        s2=np.bincount(g, weights=lf * (lf - 1), minlength=n_groups).reshape(D, K),
        s3=np.bincount(g, weights=lf * (lf - 1) * (2 * lf - 1) / 3, minlength=n_groups).reshape(
            D, K
        ),
        within=bilinear_by_group(g, length, gap_g, gap_len, n_groups).reshape(D, K),
        unit_doc=d,
        unit_code=g % K,
        unit_len=length,
        gap_doc=gap_g // K,
        gap_code=gap_g % K,
        gap_len=gap_len,
        overlaps_merged=overlaps_merged,
    )


def alpha_u_results(
    d_o: np.ndarray,
    d_e: np.ndarray,
    n_units: np.ndarray,
    codes: Sequence[Any],
    notes: tuple[str, ...] = (),
) -> tuple[list[AlphaResult], AlphaResult]:
    """Per-code results and the pooled result from per-code D_O, D_E and unit counts; each
    names ``VARIANT`` and carries ``notes``."""

    def result(
        value: float | None,
        reason: str | None = None,
        o: float | None = None,
        e: float | None = None,
    ) -> AlphaResult:
        return AlphaResult(value, reason, d_o=o, d_e=e, variant=VARIANT, notes=notes)

    per_code = []
    for k, name in enumerate(codes):
        if not np.isfinite(d_o[k]):
            per_code.append(result(None, NO_USABLE_DOCUMENT))
        elif n_units[k] == 0:
            per_code.append(result(None, f"no coder marked any unit of code {name!r}"))
        elif d_e[k] <= 0:
            per_code.append(result(None, f"expected disagreement for code {name!r} is zero"))
        else:
            value = 1.0 - d_o[k] / d_e[k]
            per_code.append(result(float(value), o=float(d_o[k]), e=float(d_e[k])))
    total_o, total_e = float(np.sum(d_o)), float(np.sum(d_e))
    if not np.isfinite(total_o):
        pooled = result(None, NO_USABLE_DOCUMENT)
    elif np.sum(n_units) == 0:
        pooled = result(None, "no coder marked any unit of any code")
    elif total_e <= 0:
        pooled = result(None, "expected disagreement is zero for every code")
    else:
        pooled = result(1.0 - total_o / total_e, o=total_o, e=total_e)
    return per_code, pooled


def unitized_alpha(
    segments: Iterable[Sequence[Any]],
    *,
    length: int,
    begin: int = 0,
    code: Any = None,
    coders: Sequence[Any] | None = None,
) -> AlphaResult:
    """Krippendorff's alpha_u on the continuum ``[begin, begin + length)``.

    Variant (``result.variant``): Krippendorff's alpha_u of 1995/2004 as in DKPro Statistics,
    with other codes invisible to code c (pooled over documents in the corpus report); not the
    2016 u-alpha family. Formula: see the module docstring (Krippendorff 1995, "On the
    reliability of unitizing continuous data"; Krippendorff 2004, "Content Analysis", 2nd ed.).

    Units: each segment is a unit. Touching same-code segments of one coder stay two units
    (the boundary disagreement alpha_u measures; Krippendorff 1995, examples B and D); only
    overlapping ones are merged into their union, and ``result.notes`` then says how many.
    Zero-length segments (``end == start``) are ignored, as in DKPro Statistics.

    Input: ``segments`` of ``(coder, start, end, code)``, half-open, integer offsets (Python or
    numpy integers of any width). ``code=None`` pools over all codes seen:
    ``1 - sum_c D_O(c) / sum_c D_E(c)``. ``coders`` lists every coder, including one who marked
    nothing (default: the coders seen in ``segments``, in order of appearance).
    Returns an :class:`AlphaResult` with ``d_o``, ``d_e``, ``variant`` and ``notes``.
    Degenerate input: fewer than two coders, or no unit of the code, gives ``value=None`` with
    the reason. ``length <= 0``, ``end < start``, a segment outside the continuum or by a coder
    missing from ``coders`` raises ValueError.
    """
    if not isinstance(length, Integral) or isinstance(length, bool) or length <= 0:
        raise ValueError("length must be a positive integer")
    if not isinstance(begin, Integral) or isinstance(begin, bool):
        raise ValueError("begin must be an integer")
    length, begin = int(length), int(begin)  # Python ints: no fixed-width overflow below
    rows = list(segments)
    if coders is None:
        coders = list(dict.fromkeys(row[0] for row in rows))
    coders = list(coders)
    if len(set(coders)) != len(coders):
        raise ValueError("coders lists a coder twice")
    coder_index = {c: i for i, c in enumerate(coders)}
    codes = list(dict.fromkeys(row[3] for row in rows)) if code is None else [code]
    code_index = {c: i for i, c in enumerate(codes)}
    kept = []
    for who, start, end, what in rows:
        _check_segment(start, end, length, begin)
        if who not in coder_index:
            raise ValueError(f"segment by coder {who!r} who is not in coders")
        if what in code_index and end != start:
            kept.append((coder_index[who], int(start) - begin, int(end) - begin, code_index[what]))
    if len(coders) < 2:
        return AlphaResult(
            None, f"alpha_u needs at least two coders; got {len(coders)}", variant=VARIANT
        )
    arr = np.array(kept, dtype=np.int64).reshape(-1, 4)
    stats = unitizing_stats(
        np.zeros(len(arr), np.int64),
        arr[:, 0],
        arr[:, 3],
        arr[:, 1],
        arr[:, 2],
        doc_len=[length],
        counted=np.ones((1, len(coders)), bool),
        n_codes=len(codes),
    )
    parts = {k: v.sum(axis=0) for k, v in stats.linear().items()}
    d_o, d_e = disagreements(parts, stats.corpus_bilinear(len(codes)))
    notes = merge_note(stats.overlaps_merged)
    per_code, pooled = alpha_u_results(d_o, d_e, parts["N"], codes, notes)
    if code is not None:
        return per_code[0]
    if not codes:
        return AlphaResult(None, "no coder marked any unit of any code", variant=VARIANT)
    return pooled


def _check_segment(start: Any, end: Any, length: int, begin: int) -> None:
    """Raise ValueError unless ``begin <= start <= end <= begin + length`` (integers)."""
    ok = all(isinstance(x, Integral) and not isinstance(x, bool) for x in (start, end))
    if not ok:
        raise ValueError(f"segment offsets must be integers, got [{start!r}, {end!r})")
    start, end = int(start), int(end)
    if end < start:
        raise ValueError(f"segment [{start}, {end}) has end < start")
    if start < begin or end > begin + length:
        raise ValueError(
            f"segment [{start}, {end}) lies outside the continuum [{begin}, {begin + length})"
        )
