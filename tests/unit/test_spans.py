"""annotator.spans: the one validator, selection rule, merger and coverage sweep."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import annotator
from annotator import spans
from annotator.spans import Run

TEXT = "Israel’s  Russo-Israeli talks\n about Iran."


def test_the_module_imports_no_django():
    code = "import sys, annotator.spans; print(any(m.startswith('django') for m in sys.modules))"
    root = Path(annotator.__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        check=True,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (-1, 4, "start_offset"),
        (4, 4, "end_offset"),
        (5, 4, "end_offset"),
        (0, 10**9, "end_offset"),
        ("0", 4, "start_offset"),
        (True, 4, "start_offset"),
        (0, 4.0, "end_offset"),
    ],
)
def test_span_error_names_the_field(start, end, field):
    error = spans.span_error(start, end, 20)
    assert error is not None and error.field == field


def test_span_error_accepts_a_span_of_the_text():
    assert spans.span_error(0, 20, 20) is None


def test_the_selection_is_trimmed_in_character_granularity():
    start = TEXT.index("Russo") - 2
    assert spans.selection_span(TEXT, start, start + 5, words=False) == (start + 2, start + 5)


def test_the_selection_snaps_to_words_keeping_apostrophes_and_splitting_hyphens():
    assert spans.selection_span(TEXT, 1, 3, words=True) == (0, len("Israel’s"))
    hyphen = TEXT.index("-")
    assert spans.selection_span(TEXT, hyphen + 1, hyphen + 2, words=True) == (
        hyphen + 1,
        hyphen + len("-Israeli"),
    )


def test_a_selection_across_a_paragraph_break_is_trimmed_at_both_ends():
    br = TEXT.index("\n")
    s, e = spans.selection_span(TEXT, br - 2, br + 2, words=False)  # "ks\n "
    assert TEXT[s:e] == "ks"
    s, e = spans.selection_span(TEXT, br, br + 4, words=False)  # "\n ab"
    assert TEXT[s:e] == "ab"


@pytest.mark.parametrize("words", [False, True])
def test_whitespace_only_is_refused_with_one_message(words):
    space = TEXT.index("  ")
    with pytest.raises(spans.SpanError) as caught:
        spans.selection_span(TEXT, space, space + 2, words=words)
    assert (caught.value.field, caught.value.message) == ("end_offset", spans.WHITESPACE_ONLY)
    with pytest.raises(spans.SpanError):
        spans.check_coding_span(TEXT, space, space + 2)


def test_merge_joins_overlapping_and_touching_intervals():
    assert spans.merge([(5, 8), (0, 3), (3, 4), (7, 10), (12, 13)]) == [(0, 4), (5, 10), (12, 13)]
    assert spans.merge([]) == []


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=12))
def test_merge_is_the_union(pairs):
    intervals = [(s, s + n) for s, n in pairs]
    merged = spans.merge(intervals)
    covered = {p for s, e in intervals for p in range(s, e)}
    assert {p for s, e in merged for p in range(s, e)} == covered
    # Disjoint, sorted, and not touching: each gap is at least one character.
    assert all(e1 < s2 for (_, e1), (s2, _) in zip(merged, merged[1:], strict=False))


def test_coverage_runs_cut_where_the_marking_coders_change():
    runs = spans.coverage_runs([("a", 0, 10), ("b", 5, 10), ("a", 10, 12)], coders=["a", "b", "c"])
    assert runs == [Run(0, 5, ("a",)), Run(5, 10, ("a", "b")), Run(10, 12, ("a",))]


def test_coverage_runs_union_a_coders_touching_and_overlapping_spans():
    runs = spans.coverage_runs([("a", 0, 5), ("a", 5, 10), ("a", 3, 7)], coders=["a"])
    assert runs == [Run(0, 10, ("a",))]


def test_coverage_runs_read_only_the_coders_who_count_in_their_order():
    runs = spans.coverage_runs([("b", 0, 4), ("late", 0, 9), ("a", 0, 4)], coders=["b", "a"])
    assert runs == [Run(0, 4, ("b", "a"))]


def test_disagreement_runs_drop_agreement_and_need_two_coders():
    data = [("a", 0, 10), ("b", 5, 10)]
    assert spans.disagreement_runs(data, coders=["a", "b"]) == [Run(0, 5, ("a",))]
    assert spans.disagreement_runs(data, coders=["a"]) == []


def test_agreed_runs_join_neighbouring_runs_with_enough_coders():
    data = [("a", 0, 10), ("b", 5, 15), ("c", 8, 20)]
    assert spans.agreed_runs(data, coders=["a", "b", "c"], min_coders=2) == [
        Run(5, 15, ("a", "b", "c"))
    ]
    assert spans.agreed_runs(data, coders=["a", "b", "c"], min_coders=3) == [
        Run(8, 10, ("a", "b", "c"))
    ]


@given(
    st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 20), st.integers(1, 6)), max_size=10)
)
def test_coverage_runs_match_a_character_by_character_reference(rows):
    coders = ["a", "b", "c"]
    data = [(c, s, s + n) for c, s, n in rows]
    marked = {p: tuple(c for c in coders if any(x == c and s <= p < e for x, s, e in data))
              for p in range(30)}  # fmt: skip
    expected = [(p, marked[p]) for p in range(30) if marked[p]]
    got = [(p, run.coders) for run in spans.coverage_runs(data, coders=coders)
           for p in range(run.start, run.end)]  # fmt: skip
    assert got == expected
    runs = spans.coverage_runs(data, coders=coders)
    # Maximal: two neighbouring runs never have the same coders.
    assert all(
        not (r1.end == r2.start and r1.coders == r2.coders)
        for r1, r2 in zip(runs, runs[1:], strict=False)
    )


def test_normalise_text_is_nfc_with_lf_newlines():
    assert spans.normalise_text("e\u0301\r\nx\ry") == "é\nx\ny"
