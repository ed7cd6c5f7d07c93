"""Overlap span F1: only spans that really overlap are paired (a sweep over span starts)."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import span_f1
from annotator.agreement.matching import overlap_true_positives


def brute_force_tp(a, b) -> int:
    """Maximum matching of same-code spans sharing a character, by trying every assignment
    of a's spans (small inputs only)."""
    best = 0
    options = [
        [None] + [j for j, y in enumerate(b) if x[2] == y[2] and x[0] < y[1] and y[0] < x[1]]
        for x in a
    ]
    for choice in itertools.product(*options):
        used = [j for j in choice if j is not None]
        if len(used) == len(set(used)):
            best = max(best, len(used))
    return best


spans = st.lists(
    st.tuples(st.integers(0, 30), st.integers(1, 12), st.sampled_from("xy")).map(
        lambda t: (t[0], t[0] + t[1], t[2])
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(a=spans, b=spans)
def test_overlap_matching_equals_the_brute_force_maximum(a, b):
    """Property: TP is the maximum one-to-one matching of overlapping same-code spans,
    including long spans that cover many others and spans that merely touch (no overlap)."""
    result = span_f1(a, b, match="overlap")
    if not a and not b:
        assert result.value is None
        return
    assert result.true_positives == brute_force_tp(a, b)
    assert span_f1(b, a, match="overlap").true_positives == result.true_positives


def test_one_long_span_among_many_pairs_only_real_overlaps():
    """8,000 short spans per coder plus one whole-document span in the same (document, code)
    group: the old candidate window (every span starting after a.start - longest) paired
    every span with every other (64M candidates, ~1 GiB); the sweep pairs only the ~24,000
    real overlaps. The result is the maximum matching: the long span takes one partner."""
    n, length = 8000, 80_000
    starts = np.arange(n) * 10
    g = np.zeros(n + 1, np.int64)
    sa = np.r_[starts, 0].astype(np.int64)
    ea = np.r_[starts + 6, length].astype(np.int64)
    sb = np.r_[starts + 3, 0].astype(np.int64)
    eb = np.r_[starts + 9, length].astype(np.int64)
    tracemalloc.start()
    tp = overlap_true_positives(g, sa, ea, g, sb, eb, 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert tp[0] == n + 1
    assert peak < 64 * 2**20, peak
    a = [(int(s), int(e), "x") for s, e in zip(sa, ea, strict=True)]
    b = [(int(s), int(e), "x") for s, e in zip(sb, eb, strict=True)]
    assert span_f1(a, b, match="overlap").value == pytest.approx(1.0)
