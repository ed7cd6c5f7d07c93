"""Per-document sufficient statistics of a coded corpus, computed once from the spans.

For binary per-code presence, every coefficient of the report depends on each document only
through a few counts: how many units (characters or tokens) exactly j of the document's R_d
counted coders marked, per code (the interval sweep of PERFORMANCE.md), the 2 x 2 tables of
each coder pair, span counts and true positives, and alpha_u's components. These add up over
documents, which is what makes the document-level bootstrap cheap.

Documents used: non-empty ones with at least two counted coders (assigned and finished, among
the coders of the report); the others hold no pairable value. Spans of coders who do not count for
a document, and spans of codes not in the report, are ignored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from .matching import exact_true_positives, overlap_true_positives
from .spans import coverage_histogram, merge_intervals, token_bounds
from .unitizing import UnitizingStats, unitizing_stats

if TYPE_CHECKING:
    from .report import DocumentData


@dataclass
class Corpus:
    """Statistics of the used documents (D of them) for K codes, R coders, P coder pairs."""

    codes: list[str]
    coders: list[str]
    pairs: list[tuple[int, int]]
    documents: list[DocumentData]  # all documents, in input order
    used: np.ndarray  # indices (into documents) of the used ones
    counted: np.ndarray  # (all documents, R) bool
    spans_per_coder: np.ndarray  # (all documents, R) spans of the report's codes
    linear: dict[str, np.ndarray]  # per used document, leading axis D
    unitizing: UnitizingStats
    characters_available: int
    tokens_available: int | None
    token_reason: str | None  # why the token level is undefined, or None
    fleiss_reason: str | None  # why Fleiss' kappa is undefined (missing data), or None


def _span_table(
    documents: Sequence[DocumentData], codes: Sequence[str], coders: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every span as five int64 columns (document, coder, code, start, end); an unknown coder
    or code is -1. One C-level pass per column (``map(itemgetter)``, ``map(dict.get)``,
    ``np.fromiter``) and no Python loop per span: a transpose with ``zip(*rows)`` cost three
    times as much at 150,000 spans."""
    code_index = {c: i for i, c in enumerate(codes)}
    coder_index = {c: i for i, c in enumerate(coders)}
    sizes = np.fromiter(map(len, (doc.spans for doc in documents)), np.int64, len(documents))
    rows = list(itertools.chain.from_iterable(doc.spans for doc in documents))
    n = len(rows)

    def column(i: int) -> Iterator[Any]:
        return map(itemgetter(i), rows)

    arrays = [
        np.repeat(np.arange(len(documents)), sizes),
        np.fromiter(map(coder_index.get, column(0), itertools.repeat(-1, n)), np.int64, n),
        np.fromiter(map(code_index.get, column(3), itertools.repeat(-1, n)), np.int64, n),
        np.array(list(column(1))),
        np.array(list(column(2))),
    ]
    if any(len(a) and a.dtype.kind not in "iu" for a in arrays[3:]):
        raise ValueError("span offsets must be integers")
    doc, coder, code, start, end = (a.astype(np.int64) for a in arrays)
    length = np.array([doc_.length for doc_ in documents], dtype=np.int64)[doc]
    bad = np.flatnonzero((end <= start) | (start < 0) | (end > length))
    if len(bad):
        i = bad[0]
        raise ValueError(
            f"document {documents[doc[i]].id}: span [{start[i]}, {end[i]}) is empty or lies "
            f"outside the text [0, {length[i]})"
        )
    return doc, coder, code, start, end


def _binary_counts(hist: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coincidences (o00, o01, o11), agreeing-pair share sum and marks from hist[d, k, j]."""
    j = np.arange(hist.shape[-1], dtype=float)
    m = m.astype(float)[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        o00 = (hist * (m - j) * (m - j - 1) / (m - 1)).sum(-1)
        o01 = (hist * j * (m - j) / (m - 1)).sum(-1)
        o11 = (hist * j * (j - 1) / (m - 1)).sum(-1)
        share = (hist * (j * (j - 1) + (m - j) * (m - j - 1)) / (m * (m - 1))).sum(-1)
    ones = (hist * j).sum(-1)
    return np.stack([o00, o01, o11], axis=-1), share, ones


def _presence_stats(
    g: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    unit_len: np.ndarray,
    counted: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    K: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Histograms by number of marking coders, and per-pair 2 x 2 tables, per (doc, code)."""
    D, R = counted.shape
    hist = coverage_histogram(g, s, e, D * K, R).reshape(D, K, R + 1)
    hist[..., 0] = unit_len[:, None] - hist[..., 1:].sum(-1)
    o, share, ones = _binary_counts(hist, counted.sum(axis=1))
    tables = np.zeros((D, K, len(pairs), 4))
    length = (e - s).astype(float)
    d = g // K
    for p, (a, b) in enumerate(pairs):
        both = counted[:, a] & counted[:, b]
        ia = np.flatnonzero((c == a) & both[d])
        ib = np.flatnonzero((c == b) & both[d])
        ma = np.bincount(g[ia], length[ia], D * K).reshape(D, K)
        mb = np.bincount(g[ib], length[ib], D * K).reshape(D, K)
        idx = np.r_[ia, ib]
        inter = coverage_histogram(g[idx], s[idx], e[idx], D * K, 2)[:, 2].reshape(D, K)
        shared = (unit_len * both)[:, None]
        tables[:, :, p] = np.stack([inter, ma - inter, mb - inter, shared - ma - mb + inter], -1)
    return o, share, ones, tables


def _token_units(
    used_docs: Sequence[DocumentData],
    d: np.ndarray,
    c: np.ndarray,
    k: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    K: int,
    R: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Map merged character units to merged token ranges; token counts per document."""
    texts = [doc.text for doc in used_docs if doc.text is not None]  # all have one
    starts, ends, n_tokens = token_bounds(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    char_off, tok_off = np.cumsum(lengths) - lengths, np.cumsum(n_tokens) - n_tokens
    lo = np.searchsorted(ends, char_off[d] + s, "right") - tok_off[d]
    hi = np.searchsorted(starts, char_off[d] + e, "left") - tok_off[d]
    hit = hi > lo  # a unit of whitespace only touches no token
    key, ts, te = merge_intervals(((d * K + k) * R + c)[hit], lo[hit], hi[hit])
    return key, ts, te, n_tokens


def _f1_stats(
    g: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    e: np.ndarray,
    counted: np.ndarray,
    d: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    D: int,
    K: int,
) -> np.ndarray:
    """Per (document, code, pair): exact TP, overlap TP, spans of a, spans of b."""
    f1 = np.zeros((D, K, len(pairs), 4))
    for p, (a, b) in enumerate(pairs):
        both = counted[d, a] & counted[d, b]
        ia, ib = np.flatnonzero((c == a) & both), np.flatnonzero((c == b) & both)
        args = (g[ia], s[ia], e[ia], g[ib], s[ib], e[ib], D * K)
        f1[:, :, p, 0] = exact_true_positives(*args).reshape(D, K)
        f1[:, :, p, 1] = overlap_true_positives(*args).reshape(D, K)
        f1[:, :, p, 2] = np.bincount(g[ia], minlength=D * K).reshape(D, K)
        f1[:, :, p, 3] = np.bincount(g[ib], minlength=D * K).reshape(D, K)
    return f1


def _fleiss_reason(
    documents: Sequence[DocumentData],
    counted_all: np.ndarray,
    doc_len: np.ndarray,
    coders: Sequence[str],
) -> str | None:
    """Fleiss' kappa needs every coder on every unit: a partly coded document is missing data.
    A document with fewer than two counted coders holds no pairable value, so it is left out
    like a document nobody counts for (it is not used by any coefficient), not missing data."""
    if len(coders) < 2:
        return "Fleiss' kappa needs at least two coders"
    n_counted = counted_all.sum(axis=1)
    partial = np.flatnonzero((n_counted >= 2) & (n_counted < len(coders)) & (doc_len > 0))
    if len(partial) == 0:
        return None
    i = int(partial[0])
    absent = coders[int(np.flatnonzero(~counted_all[i])[0])]
    return (
        f"Fleiss' kappa needs every coder on every unit, but coder {absent!r} does not count "
        f"for document {documents[i].id}, so values are missing"
    )


def build_corpus(
    documents: Iterable[DocumentData], codes: Sequence[str], coders: Sequence[str]
) -> Corpus:
    """Validate the documents and compute every per-document statistic the report needs."""
    documents = list(documents)
    codes, coders = list(codes), list(coders)
    K, R = len(codes), len(coders)
    pairs = [(a, b) for a in range(R) for b in range(a + 1, R)]
    doc_len_all = np.array([doc.length for doc in documents], dtype=np.int64)
    if (doc_len_all < 0).any():
        raise ValueError("a document has a negative length")
    for document in documents:
        if document.text is not None and len(document.text) != document.length:
            raise ValueError(
                f"document {document.id}: text has {len(document.text)} characters, "
                f"length says {document.length}"
            )
    counted_all = np.array(
        [[c in set(doc.coders) for c in coders] for doc in documents], dtype=bool
    ).reshape(len(documents), R)
    doc, coder, code, start, end = _span_table(documents, codes, coders)
    known = (coder >= 0) & (code >= 0)
    keep = known.copy()
    keep[known] = counted_all[doc[known], coder[known]]
    spans_per_coder = np.bincount(doc[keep] * R + coder[keep], minlength=len(documents) * R)
    used = np.flatnonzero((counted_all.sum(axis=1) >= 2) & (doc_len_all > 0))
    remap = np.full(len(documents), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    keep &= remap[doc] >= 0
    # From here on, d indexes the used documents only.
    d, c, k, s, e = remap[doc[keep]], coder[keep], code[keep], start[keep], end[keep]
    counted, L, D = counted_all[used], doc_len_all[used], len(used)
    key, ms, me = merge_intervals((d * K + k) * R + c, s, e)
    mg, mc = key // R, key % R
    o, share, ones, tables = _presence_stats(mg, mc, ms, me, L, counted, pairs, K)
    linear = {
        "char_o": o,
        "char_share": share,
        "char_ones": ones,
        "char_units": L.astype(float),
        "pair_tables": tables,
        "f1": _f1_stats(d * K + k, c, s, e, counted, d, pairs, D, K),
    }
    missing_text = [documents[i].id for i in used if documents[i].text is None]
    token_reason, tokens_available = None, None
    if missing_text:
        token_reason = (
            f"the token level needs the text of every document used; document "
            f"{missing_text[0]} has none"
        )
        linear["tok_o"], linear["tok_units"] = np.zeros((D, K, 3)), np.zeros(D)
    else:
        tkey, ts, te, n_tokens = _token_units(
            [documents[i] for i in used], mg // K, mc, mg % K, ms, me, K, R
        )
        tok_o, _, _, _ = _presence_stats(tkey // R, tkey % R, ts, te, n_tokens, counted, [], K)
        linear["tok_o"], linear["tok_units"] = tok_o, n_tokens.astype(float)
        if len(used) == len(documents):
            tokens_available = int(n_tokens.sum())
        elif all(doc.text is not None for doc in documents):
            texts = [doc.text for doc in documents if doc.text is not None]  # all of them
            tokens_available = int(token_bounds(texts)[2].sum())
    # alpha_u's own unit rule (unitizing.UNIT_RULE): the spans as coded, touching ones apart,
    # only overlapping ones merged; not the presence union above.
    unitizing = unitizing_stats(d, c, k, s, e, doc_len=L, counted=counted, n_codes=K)
    for name, values in unitizing.linear().items():
        linear["u_" + name] = values
    return Corpus(
        codes=codes,
        coders=coders,
        pairs=pairs,
        documents=documents,
        used=used,
        counted=counted_all,
        spans_per_coder=spans_per_coder.reshape(len(documents), R),
        linear=linear,
        unitizing=unitizing,
        characters_available=int(doc_len_all.sum()),
        tokens_available=tokens_available,
        token_reason=token_reason,
        fleiss_reason=_fleiss_reason(documents, counted_all, doc_len_all, coders),
    )
