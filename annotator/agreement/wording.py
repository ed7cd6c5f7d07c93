"""The sentences a report states: unit definitions, rules, policies and undefined reasons."""

from __future__ import annotations

from typing import Any

import numpy as np

from .corpus import Corpus
from .unitizing import NO_USABLE_DOCUMENT

UNIT_DEFINITIONS = {
    "character": (
        "Character level: every Unicode code point of every document used is a unit; per code, "
        "a coder's value is 1 if the coder applied the code to the character and 0 if the "
        "coder coded the document without applying the code there."
    ),
    "token": (
        "Token level: tokens are the matches of the regular expression \\w+|[^\\w\\s] "
        "(Python re, Unicode), that is maximal runs of word characters and single other "
        "non-whitespace characters (whitespace belongs to no token); a token is 1 for a code "
        "if any of its characters is."
    ),
    "span": (
        "Span level: a span is one coding (start, end, code) as the coder made it; spans are "
        "not merged."
    ),
    "continuum": (
        "For alpha_u (Krippendorff's alpha_u of 1995/2004 as in DKPro Statistics, with other "
        "codes invisible to code c, pooled over documents), each document is a continuum of "
        "characters and each span is a unit: touching spans of the same code by one coder stay "
        "separate units (the boundary disagreement alpha_u measures), and only overlapping "
        "ones are merged into one unit, because alpha_u cannot represent overlapping units of "
        "one coder."
    ),
}

MATCHING_RULE = (
    "Exact span matching counts identical (start, end, code) spans (multiset intersection); "
    "overlap matching counts a maximum one-to-one matching (Hopcroft-Karp) of same-code spans "
    "that share at least one character; F1 = 2 TP / (|A| + |B|) per coder pair on the "
    "documents both count for, and the mean is the macro mean over coder pairs."
)

MISSING_DATA_POLICY = (
    "A coder's coding of a document counts only if the coder finished it (marked it done) "
    "and, in a project that uses assignments, was assigned it; otherwise the coder's values "
    "for that document are missing, never 0. "
    "Empty documents and documents with fewer than two counted coders are not used. Alpha "
    "and alpha_u use every pairable value; Cohen's kappa and span F1 use, per coder pair, the "
    "documents both count for; Fleiss' kappa is undefined when any value is missing."
)

POOLING = (
    "Values over all codes pool rather than average: nominal alpha sums the per-code "
    "coincidence matrices; alpha_u is 1 - sum D_O(c) / sum D_E(c); Cohen's kappa, Fleiss' "
    "kappa and percent agreement treat every (unit, code) as one item; span F1 counts the "
    "spans of all codes. Over documents, alpha_u treats the corpus as the concatenation of "
    "the documents, each coder restricted to the documents they count for, with document "
    "boundaries as segment boundaries."
)


def _label(corpus: Corpus, k: int) -> str:
    return f"code {corpus.codes[k]!r}" if k < len(corpus.codes) else "every code"


def _single_value(who: str, label: str, unit: str, none_marked: bool) -> str:
    detail = f"no {unit} is marked" if none_marked else f"every {unit} is marked by every coder"
    return f"{who} used a single value for {label}: {detail}"


def _pair_reason(name: str, k: int, p: int, totals: dict[str, np.ndarray], corpus: Corpus) -> str:
    a, b = (corpus.coders[i] for i in corpus.pairs[p])
    label = _label(corpus, k)
    if name == "kappa":
        t = totals["pair_tables"][0]
        t = t[k, p] if k < len(corpus.codes) else t[:, p].sum(0)
        if t.sum() == 0:
            return f"coders {a!r} and {b!r} share no document"
        return _single_value(f"coders {a!r} and {b!r}", label, "character", t[0] == 0)
    f1 = totals["f1"][0]
    f1 = f1[k, p] if k < len(corpus.codes) else f1[:, p].sum(0)
    if not (corpus.counted[:, corpus.pairs[p][0]] & corpus.counted[:, corpus.pairs[p][1]]).any():
        return f"coders {a!r} and {b!r} share no document"
    of_code = f" of {label}" if k < len(corpus.codes) else ""
    return f"neither {a!r} nor {b!r} marked any span{of_code}"


def reason_for(
    name: str,
    k: int,
    p: int | None,
    totals: dict[str, np.ndarray],
    point: dict[str, Any],
    corpus: Corpus,
) -> str:
    """Why the point estimate ``name`` for code k (k = K: all codes) and pair p is undefined."""
    if len(corpus.used) == 0:
        return NO_USABLE_DOCUMENT
    label = _label(corpus, k)
    if name in ("char_alpha", "token_alpha"):
        if name == "token_alpha" and corpus.token_reason:
            return corpus.token_reason
        o = totals["char_o" if name == "char_alpha" else "tok_o"][0]
        o = o[k] if k < len(corpus.codes) else o.sum(0)
        unit = "character" if name == "char_alpha" else "token"
        return _single_value("all coders", label, unit, o[1] + o[2] == 0)
    if name == "fleiss_kappa":
        if corpus.fleiss_reason:
            return corpus.fleiss_reason
        ones = totals["char_ones"][0]
        ones = ones[k] if k < len(corpus.codes) else ones.sum()
        return _single_value("all coders", label, "character", ones == 0)
    if name == "percent_agreement":
        return "no unit has two or more values"
    if name in ("kappa", "f1_exact", "f1_overlap"):
        assert p is not None  # pair coefficients always come with their pair
        return _pair_reason(name, k, p, totals, corpus)
    base = name.removesuffix("_mean")  # a mean over coder pairs
    if not corpus.pairs:
        return "a mean over coder pairs needs at least two coders"
    values = point[base][0, k]
    first = int(np.flatnonzero(~np.isfinite(values))[0])
    a, b = (corpus.coders[i] for i in corpus.pairs[first])
    what = "Cohen's kappa" if base == "kappa" else "span F1"
    detail = _pair_reason(base, k, first, totals, corpus)
    return f"{what} is undefined for coder pair {a!r}-{b!r} ({detail})"
