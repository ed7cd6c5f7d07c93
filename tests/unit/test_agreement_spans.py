"""From spans to units (merging, sweeps, tokens, presence) and span F1 matching."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    TOKEN_PATTERN,
    DocumentData,
    character_presence,
    krippendorff_alpha,
    presence_data,
    span_f1,
    token_presence,
    tokenize,
)
from annotator.agreement.matching import max_matching
from annotator.agreement.spans import coverage_histogram, merge_intervals, token_bounds

intervals = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(1, 12)), max_size=25
).map(lambda rows: [(k, s, s + n) for k, s, n in rows])


@settings(max_examples=150, deadline=None)
@given(rows=intervals)
def test_merge_intervals_is_the_union_of_touching_intervals(rows):
    """Property: per key, the merged intervals cover exactly the union of the inputs, and no
    two of them overlap or touch."""
    key, start, end = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    mk, ms, me = merge_intervals(key, start, end)
    for k in set(key.tolist()):
        covered = {p for kk, s, e in rows if kk == k for p in range(s, e)}
        pieces = sorted((s, e) for kk, s, e in zip(mk, ms, me, strict=True) if kk == k)
        assert {p for s, e in pieces for p in range(s, e)} == covered
        assert all(b[0] > a[1] for a, b in itertools.pairwise(pieces))


@settings(max_examples=100, deadline=None)
@given(rows=intervals)
def test_coverage_histogram_counts_positions_by_depth(rows):
    """Property: the sweep counts positions covered by exactly j coders (key = coder here,
    one group), as a brute-force count over positions does."""
    key, start, end = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    mk, ms, me = merge_intervals(key, start, end)
    hist = coverage_histogram(np.zeros(len(mk), np.int64), ms, me, 1, 4)[0]
    depth = Counter(p for s, e in zip(ms, me, strict=True) for p in range(s, e))
    expected = Counter(depth.values())
    assert [hist[j] for j in range(1, 5)] == [expected.get(j, 0) for j in range(1, 5)]


texts = st.one_of(
    st.text(
        alphabet=st.sampled_from(
            list("ab_9 \t\n.,;-'\"é̃ß中文👍🏽\u00a0\u2003٣\U0001f1ee\U0001f1f1")
        ),
        max_size=40,
    ),
    st.text(max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_tokenize_equals_the_regular_expression(text):
    """Property: the numpy tokeniser gives exactly the matches of \\w+|[^\\w\\s] (Python re),
    with emoji, combining marks, CJK, Arabic-Indic digits and Unicode spaces."""
    expected = [m.span() for m in re.finditer(TOKEN_PATTERN, text)]
    assert [tuple(t) for t in tokenize(text).tolist()] == expected


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(texts, max_size=5))
def test_token_bounds_never_cross_texts(parts):
    """Tokens of several texts at once equal each text's own tokens, shifted."""
    starts, ends, counts = token_bounds(parts)
    offset, expected = 0, []
    for text in parts:
        expected += [(s + offset, e + offset) for s, e in tokenize(text).tolist()]
        offset += len(text)
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == expected
    assert counts.tolist() == [len(tokenize(t)) for t in parts]


def test_presence_of_characters_and_tokens():
    """A token is positive if any of its characters is (AGREEMENT.md, token level)."""
    text = "ab cd ef g"
    spans = [("a", 0, 4, "x"), ("b", 4, 8, "x"), ("b", 0, 1, "y"), ("z", 0, 10, "x")]
    chars = character_presence(spans, length=10, code="x", coders=["a", "b"])
    assert chars.tolist() == [[1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1, 0, 0]]
    tokens = token_presence(spans, text=text, code="x", coders=["a", "b"])
    assert tokenize(text).tolist() == [[0, 2], [3, 5], [6, 8], [9, 10]]
    assert tokens.tolist() == [[1, 1, 0, 0], [0, 1, 1, 0]]
    with pytest.raises(ValueError, match="outside"):
        character_presence([("a", 5, 11, "x")], length=10, code="x", coders=["a"])
    with pytest.raises(ValueError, match="integers"):
        character_presence([("a", 0.5, 3, "x")], length=10, code="x", coders=["a"])


def test_presence_data_marks_uncounted_coders_missing():
    """A coder who does not count for a document is missing there, never 0 (AGREEMENT.md)."""
    docs = [
        DocumentData(1, 4, ("a", "b"), (("a", 0, 2, "x"), ("b", 0, 2, "x"))),
        DocumentData(2, 3, ("a",), (("a", 0, 1, "x"), ("b", 0, 3, "x"))),
    ]
    data = presence_data(docs, code="x", coders=["a", "b"])
    assert data[0].tolist() == [1, 1, 0, 0, 1, 0, 0]
    assert data[1, :4].tolist() == [1, 1, 0, 0] and np.isnan(data[1, 4:]).all()
    # Missing, not zero: treating b's unfinished document as zeros would change alpha.
    zeros = np.nan_to_num(data)
    assert krippendorff_alpha(data).value == 1.0
    assert krippendorff_alpha(zeros).value < 1.0
    with pytest.raises(ValueError, match="no text"):
        presence_data(docs, code="x", coders=["a", "b"], level="token")


def test_exact_f1_is_a_multiset_intersection():
    """Exact matching: TP = multiset intersection of (start, end, code)."""
    a = [(0, 3, "x"), (0, 3, "x"), (5, 8, "x"), (5, 8, "y")]
    b = [(0, 3, "x"), (5, 8, "y"), (5, 9, "x")]
    result = span_f1(a, b)
    assert (result.true_positives, result.n_a, result.n_b) == (2, 4, 3)
    assert result.value == pytest.approx(4 / 7)
    assert span_f1(b, a).value == result.value


def test_overlap_f1_finds_the_maximum_matching_a_greedy_pass_misses():
    """Greedy A1-B1 leaves A2 unmatched (1 pair); the maximum matching has 2 pairs."""
    a = [(0, 10, "x"), (0, 3, "x")]
    b = [(0, 2, "x"), (5, 10, "x")]
    result = span_f1(a, b, match="overlap")
    assert result.true_positives == 2 and result.value == 1.0
    # Spans of different codes never match; touching spans share no character.
    assert span_f1([(0, 5, "x")], [(0, 5, "y")], match="overlap").value == 0.0
    assert span_f1([(0, 5, "x")], [(5, 9, "x")], match="overlap").value == 0.0


def test_f1_degenerate_and_invalid_input():
    """No spans at all is undefined (AGREEMENT.md: never a silent 1); invalid spans raise."""
    none = span_f1([], [])
    assert none.value is None and none.reason == "neither coder marked any span"
    assert span_f1([(0, 1, "x")], []).value == 0.0
    with pytest.raises(ValueError, match="unknown match"):
        span_f1([], [], match="fuzzy")
    with pytest.raises(ValueError, match="end <= start"):
        span_f1([(3, 3, "x")], [])
    with pytest.raises(ValueError, match="before offset 0"):
        span_f1([(-1, 3, "x")], [])


def brute_force_matching(a, b) -> int:
    """Largest set of disjoint (i, j) edges, by trying every subset size from the top."""
    edges = [
        (i, j)
        for i, (sa, ea, ca) in enumerate(a)
        for j, (sb, eb, cb) in enumerate(b)
        if ca == cb and sa < eb and sb < ea
    ]
    for size in range(min(len(a), len(b)), 0, -1):
        for chosen in itertools.combinations(edges, size):
            if len({i for i, _ in chosen}) == size and len({j for _, j in chosen}) == size:
                return size
    return 0


small_spans = st.lists(
    st.tuples(st.integers(0, 15), st.integers(1, 8), st.sampled_from("xy")), max_size=6
).map(lambda rows: [(s, s + n, c) for s, n, c in rows])


@settings(max_examples=200, deadline=None)
@given(a=small_spans, b=small_spans)
def test_overlap_matching_is_maximum(a, b):
    """Property: overlap TP equals a brute-force maximum matching; F1 is symmetric."""
    result = span_f1(a, b, match="overlap")
    assert result.true_positives == brute_force_matching(a, b)
    assert span_f1(b, a, match="overlap").value == result.value
    exact = span_f1(a, b)
    assert exact.true_positives == sum((Counter(a) & Counter(b)).values())


@settings(max_examples=100, deadline=None)
@given(edges=st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=20))
def test_hopcroft_karp_on_arbitrary_bipartite_graphs(edges):
    """Property: max_matching gives a valid matching of brute-force maximum size."""
    adjacency = [[v for u2, v in sorted(edges) if u2 == u] for u in range(7)]
    partner = max_matching(7, 7, adjacency)
    matched = [(u, v) for u, v in enumerate(partner) if v >= 0]
    assert all((u, v) in edges for u, v in matched)
    assert len({v for _, v in matched}) == len(matched)
    best = 0
    for size in range(min(7, len(edges)), 0, -1):
        if any(
            len({u for u, _ in c}) == size and len({v for _, v in c}) == size
            for c in itertools.combinations(sorted(edges), size)
        ):
            best = size
            break
    assert len(matched) == best
