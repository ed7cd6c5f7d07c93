"""The project agreement report: every coefficient per code and overall, with bootstrap CIs.

Conventions (see also ``corpus.py``, ``unitizing.py``, ``bootstrap.py``):

- Units: character level (every code point of every document) and token level (matches of
  ``\\w+|[^\\w\\s]``); per code a binary presence variable, missing where a coder does not count.
- "Overall" pools, it does not average: nominal alpha sums the per-code coincidence matrices
  over codes; alpha_u pools ``1 - sum_c D_O(c) / sum_c D_E(c)``; Cohen's kappa, Fleiss' kappa and
  percent agreement treat every (unit, code) as one item; span F1 counts spans of all codes.
- Cohen's kappa and span F1 are per coder pair (on the documents both count for); their mean
  over pairs is labelled as such and is undefined if any pair's value is.
- alpha_u is ``unitizing.VARIANT`` with ``unitizing.UNIT_RULE`` (touching spans of one coder
  are separate units; only overlapping ones merge), the same rule as :func:`unitized_alpha`.
- Percentile bootstrap over documents (``bootstrap.py``); undefined replicates are left out.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bootstrap import (
    CHUNK,
    BilinearTerm,
    bca_interval,
    leave_one_out_bilinear,
    percentile_interval,
    resample_weights,
)
from .corpus import Corpus, build_corpus
from .sufficient import Summer, binary_alpha, evaluate
from .unitizing import VARIANT, alpha_u_results, disagreements, merge_note
from .wording import MATCHING_RULE, MISSING_DATA_POLICY, POOLING, UNIT_DEFINITIONS, reason_for


@dataclass(frozen=True)
class DocumentData:
    """One document as the report sees it (plain data, built by the selectors)."""

    id: int
    length: int  # text length in code points
    coders: tuple[str, ...]  # coders whose coding counts (assigned AND finished)
    spans: tuple[tuple[str, int, int, str], ...]  # (coder, start, end, code)
    text: str | None = None  # needed only for the token level
    title: str = ""


@dataclass(frozen=True)
class Estimate:
    """A coefficient with its bootstrap interval; ``value`` None means undefined (``reason``)."""

    value: float | None
    reason: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_replicates: int = 0  # bootstrap replicates in which the coefficient was defined
    bca_low: float | None = None  # BCa interval (bootstrap.bca_interval) beside the percentile
    bca_high: float | None = None

    @property
    def ci(self) -> tuple[float, float] | None:
        if self.ci_low is None or self.ci_high is None:  # both are set, or neither
            return None
        return (self.ci_low, self.ci_high)


@dataclass(frozen=True)
class PairAgreement:
    coder_a: str
    coder_b: str
    cohen_kappa: Estimate
    span_f1_exact: Estimate
    span_f1_overlap: Estimate


@dataclass(frozen=True)
class CodeAgreement:
    code: str | None  # None: all codes pooled
    unitized_alpha: Estimate
    char_alpha: Estimate
    token_alpha: Estimate
    cohen_kappa_mean: Estimate  # mean over coder pairs
    fleiss_kappa: Estimate
    span_f1_exact_mean: Estimate  # macro mean over coder pairs
    span_f1_overlap_mean: Estimate
    percent_agreement: Estimate
    pairs: tuple[PairAgreement, ...]


@dataclass(frozen=True)
class DocumentRow:
    id: int
    title: str
    coders: tuple[str, ...]
    unitized_alpha: Estimate
    char_alpha: Estimate
    spans: tuple[tuple[str, int], ...]  # (coder, number of spans) for the counted coders


@dataclass(frozen=True)
class CoderPair:
    coder_a: str
    coder_b: str
    documents_shared: int
    cohen_kappa: Estimate  # character level, pooled over codes
    span_f1_overlap: Estimate  # all codes


@dataclass(frozen=True)
class Counts:
    documents_used: int
    documents_available: int
    coders_used: int
    coders_available: int
    characters_used: int
    characters_available: int
    tokens_used: int | None
    tokens_available: int | None
    codes: int


@dataclass(frozen=True)
class Meta:
    replicates: int
    seed: int | None
    confidence: float
    units: dict[str, str]
    matching_rule: str
    missing_data_policy: str
    pooling: str
    software: str
    unitized_variant: str = VARIANT  # the exact alpha_u computed (unitizing.VARIANT)
    unitized_notes: tuple[str, ...] = ()  # e.g. how many overlapping units were merged
    narrowing: tuple[str, ...] = ()  # one sentence per narrowing in force (documents, coders...)
    # The coding design: (coder, documents used that the coder counts for), report coder order.
    coding_design: tuple[tuple[str, int], ...] = ()
    interval: str = "percentile"  # how ci_low/ci_high were computed (bootstrap.py)


@dataclass(frozen=True)
class Report:
    codes: tuple[str, ...]
    coders: tuple[str, ...]
    per_code: tuple[CodeAgreement, ...]
    overall: CodeAgreement
    counts: Counts
    documents: tuple[DocumentRow, ...]
    coder_matrix: tuple[CoderPair, ...]
    meta: Meta

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data (lists, dicts, str, int, float, None)."""
        plain: dict[str, Any] = _plain(dataclasses.asdict(self))
        return plain


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _bootstrap(
    corpus: Corpus,
    replicates: int,
    seed: int | None,
    progress: Callable[[int, int], None] | None,
) -> dict[str, np.ndarray]:
    D, K = len(corpus.used), len(corpus.codes)
    u = corpus.unitizing
    terms = [
        BilinearTerm(
            u.unit_doc[u.unit_code == k],
            u.unit_len[u.unit_code == k],
            u.gap_doc[u.gap_code == k],
            u.gap_len[u.gap_code == k],
            D,
        )
        for k in range(K)
    ]
    draws = resample_weights(D, replicates, seed)
    # Several chunks of weights share one pass over alpha_u's histograms (<= 64 MiB of weights).
    per_product = max(1, (1 << 23) // (max(D, 1) * CHUNK))
    summer = Summer(corpus.linear)
    chunks: dict[str, list[np.ndarray]] = {}
    done = 0
    while batch := list(itertools.islice(draws, per_product)):
        bilinear = np.stack([t.replicates(np.concatenate(batch)) for t in terms], axis=1)
        for W in batch:
            part, bilinear = bilinear[: len(W)], bilinear[len(W) :]
            values = evaluate(summer(W), part, corpus.fleiss_reason is None)
            for name, arr in values.items():
                if name != "d_components":
                    chunks.setdefault(name, []).append(arr)
            done += len(W)
            if progress is not None:
                progress(done, replicates)
    return {name: np.concatenate(parts) for name, parts in chunks.items()}


JACKKNIFE_BLOCK = 2048  # documents left out per evaluation (bounds the jackknife's memory)


def _jackknife(corpus: Corpus) -> dict[str, np.ndarray]:
    """Every coefficient with each used document left out in turn (leading axis D): the
    acceleration of the BCa intervals. Additive statistics are total minus the document's;
    alpha_u's unit x gap term uses :func:`leave_one_out_bilinear`."""
    D, K = len(corpus.used), len(corpus.codes)
    u = corpus.unitizing
    bilinear = np.stack(
        [
            leave_one_out_bilinear(
                u.unit_doc[u.unit_code == k],
                u.unit_len[u.unit_code == k],
                u.gap_doc[u.gap_code == k],
                u.gap_len[u.gap_code == k],
                u.within[:, k],
                D,
            )
            for k in range(K)
        ],
        axis=1,
    ).reshape(D, K)
    summer = Summer(corpus.linear)
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, D, JACKKNIFE_BLOCK):
        stop = min(start + JACKKNIFE_BLOCK, D)
        values = evaluate(
            summer.leave_one_out(start, stop),
            bilinear[start:stop],
            corpus.fleiss_reason is None,
        )
        for name, arr in values.items():
            if name != "d_components":
                parts.setdefault(name, []).append(arr)
    return {name: np.concatenate(arrs) for name, arrs in parts.items()}


def _estimate(
    point: float,
    reason: str | None,
    reps: np.ndarray | None,
    confidence: float,
    jack: np.ndarray | None = None,
) -> Estimate:
    if not np.isfinite(point):
        return Estimate(None, reason or "undefined")
    if reps is None:
        return Estimate(float(point))
    low, high, defined = percentile_interval(reps, confidence)
    bca = bca_interval(reps, point, jack, confidence) if jack is not None else (None, None)
    return Estimate(float(point), None, low, high, defined, *bca)


def compute_report(
    documents: Iterable[DocumentData],
    *,
    codes: Sequence[str],
    coders: Sequence[str],
    bootstrap: int = 1000,
    seed: int | None = 12345,
    confidence: float = 0.95,
    progress: Callable[[int, int], None] | None = None,
    software: str = "annotator.agreement",
    narrowing: Sequence[str] = (),
) -> Report:
    """Compute the agreement report of a project (pure: plain data in, plain data out).

    Input: ``documents`` (:class:`DocumentData`), the ordered ``codes`` and ``coders`` of the
    report (spans of other codes or coders are ignored), ``bootstrap`` replicates (0 for none),
    ``seed`` and ``confidence`` of the percentile intervals, ``progress(done, total)`` called
    during the bootstrap, the ``software`` version string stated in the report, and
    ``narrowing``: sentences saying how the caller narrowed the data (documents, coders, codes,
    dates, gold standard), stated in the report's metadata and methods paragraph.
    Coefficients and sources: Krippendorff's alpha_u (1995, 2004), nominal alpha (2004, 2011),
    Cohen's kappa (1960), Fleiss' kappa (1971), span F1, percent agreement; see the modules.
    Degenerate input: every undefined coefficient is ``None`` with its reason. Invalid input
    (spans outside the text, a text whose length differs, negative ``bootstrap``, confidence
    outside (0, 1), duplicate codes or coders) raises ValueError.
    """
    codes, coders = list(codes), list(coders)
    if not codes:
        raise ValueError("a report needs at least one code")
    if len(set(codes)) != len(codes) or len(set(coders)) != len(coders):
        raise ValueError("codes and coders must not repeat a name")
    if bootstrap < 0:
        raise ValueError("bootstrap must be 0 (no intervals) or a number of replicates")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    corpus = build_corpus(documents, codes, coders)
    D, K = len(corpus.used), len(codes)
    totals = {k: v.sum(axis=0)[None] for k, v in corpus.linear.items()}
    u = corpus.unitizing
    point = evaluate(totals, u.corpus_bilinear(K)[None], corpus.fleiss_reason is None)
    reps = _bootstrap(corpus, bootstrap, seed, progress) if bootstrap and D else {}
    jack = _jackknife(corpus) if reps else {}
    notes = merge_note(u.overlaps_merged)
    unitized, pooled_u = alpha_u_results(
        point["d_components"][0][0], point["d_components"][1][0], totals["u_N"][0], codes, notes
    )
    u_reasons = [r.reason for r in unitized] + [pooled_u.reason]

    def est(name: str, k: int, p: int | None = None) -> Estimate:
        idx = (slice(None), k) if p is None else (slice(None), k, p)
        value = point[name][idx][0]
        reason = None
        if not np.isfinite(value):
            reason = (
                u_reasons[k] if name == "alpha_u" else reason_for(name, k, p, totals, point, corpus)
            )
        return _estimate(
            value,
            reason,
            reps[name][idx] if name in reps else None,
            confidence,
            jack[name][idx] if name in jack else None,
        )

    rows = []
    for k in range(K + 1):
        pairs = tuple(
            PairAgreement(
                coders[a],
                coders[b],
                est("kappa", k, p),
                est("f1_exact", k, p),
                est("f1_overlap", k, p),
            )
            for p, (a, b) in enumerate(corpus.pairs)
        )
        rows.append(
            CodeAgreement(
                codes[k] if k < K else None,
                est("alpha_u", k),
                est("char_alpha", k),
                est("token_alpha", k),
                est("kappa_mean", k),
                est("fleiss_kappa", k),
                est("f1_exact_mean", k),
                est("f1_overlap_mean", k),
                est("percent_agreement", k),
                pairs,
            )
        )
    shared = [int((corpus.counted[:, a] & corpus.counted[:, b]).sum()) for a, b in corpus.pairs]
    matrix = tuple(
        CoderPair(p.coder_a, p.coder_b, shared[i], p.cohen_kappa, p.span_f1_overlap)
        for i, p in enumerate(rows[K].pairs)
    )
    counted_used = corpus.counted[corpus.used]
    counts = Counts(
        documents_used=D,
        documents_available=len(corpus.documents),
        coders_used=int(counted_used.any(axis=0).sum()),
        coders_available=len(coders),
        characters_used=int(totals["char_units"][0]),
        characters_available=corpus.characters_available,
        tokens_used=None if corpus.token_reason else int(totals["tok_units"][0]),
        tokens_available=corpus.tokens_available,
        codes=K,
    )
    meta = Meta(
        replicates=bootstrap,
        seed=seed,
        confidence=confidence,
        units=dict(UNIT_DEFINITIONS),
        matching_rule=MATCHING_RULE,
        missing_data_policy=MISSING_DATA_POLICY,
        pooling=POOLING,
        software=software,
        unitized_variant=VARIANT,
        unitized_notes=notes,
        narrowing=tuple(narrowing),
        coding_design=tuple(
            (coder, int(n)) for coder, n in zip(coders, counted_used.sum(axis=0), strict=True)
        ),
    )
    return Report(
        codes=tuple(codes),
        coders=tuple(coders),
        per_code=tuple(rows[:K]),
        overall=rows[K],
        counts=counts,
        documents=_document_rows(corpus),
        coder_matrix=matrix,
        meta=meta,
    )


def _document_rows(corpus: Corpus) -> tuple[DocumentRow, ...]:
    """Per document: alpha_u and character-level alpha (pooled over codes), spans per coder."""
    u, position = corpus.unitizing, {int(i): j for j, i in enumerate(corpus.used)}
    parts = {name[2:]: v for name, v in corpus.linear.items() if name.startswith("u_")}
    d_o, d_e = disagreements(parts, u.within)
    char = corpus.linear["char_o"].sum(axis=1)
    rows = []
    for i, doc in enumerate(corpus.documents):
        names = tuple(c for r, c in enumerate(corpus.coders) if corpus.counted[i, r])
        spans = tuple(
            (c, int(corpus.spans_per_coder[i, r]))
            for r, c in enumerate(corpus.coders)
            if corpus.counted[i, r]
        )
        j = position.get(i)
        if j is None:
            none = Estimate(None, "this document is empty or has fewer than two counted coders")
            rows.append(DocumentRow(doc.id, doc.title, names, none, none, spans))
            continue
        total_e = d_e[j].sum()
        if total_e > 0:
            unitized = Estimate(float(1.0 - d_o[j].sum() / total_e))
        else:
            unitized = Estimate(None, "no coder marked any unit of any code in this document")
        value = binary_alpha(char[j])
        alpha = (
            Estimate(float(value))
            if np.isfinite(value)
            else Estimate(None, "all coders used a single value for every code in this document")
        )
        rows.append(DocumentRow(doc.id, doc.title, names, unitized, alpha, spans))
    return tuple(rows)


from .report_text import (  # noqa: E402
    methods_appendix,
    methods_paragraph,
    references_bibtex,
    report_tables,
    to_latex,
    to_markdown,
)

__all__ = [
    "CodeAgreement",
    "CoderPair",
    "Counts",
    "DocumentData",
    "DocumentRow",
    "Estimate",
    "Meta",
    "PairAgreement",
    "Report",
    "compute_report",
    "methods_appendix",
    "methods_paragraph",
    "references_bibtex",
    "report_tables",
    "to_latex",
    "to_markdown",
]
