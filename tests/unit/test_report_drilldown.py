"""Disagreements of one document and its per-coder columns (pure functions)."""

from annotator.reports import drilldown

TEXT = "Israel & Russia <talk> about Iran and Syria."


def test_it_finds_a_boundary_disagreement():
    spans = [("alice", 12, 40, "Iran"), ("bob", 15, 40, "Iran")]
    found = drilldown.disagreements("x" * 50, spans, ["alice", "bob"], ["Iran"])
    assert [(d.code, d.start, d.end) for d in found] == [("Iran", 12, 15)]
    assert found[0].marked_by == (("alice", ((12, 40),)),)
    assert found[0].not_marked_by == ("bob",)
    assert found[0].summary() == "Iran [12, 15): alice [12, 40) vs bob (none)"


def test_it_finds_nothing_when_coders_agree_after_merging():
    # alice split the passage in two touching spans; merged, it equals bob's one span.
    spans = [("alice", 0, 5, "A"), ("alice", 5, 10, "A"), ("bob", 0, 10, "A")]
    assert drilldown.disagreements("x" * 20, spans, ["alice", "bob"], ["A"]) == []


def test_it_cuts_runs_where_the_marking_coders_change():
    spans = [("a", 0, 10, "A"), ("b", 5, 10, "A")]
    found = drilldown.disagreements("x" * 20, spans, ["a", "b", "c"], ["A"])
    assert [(d.start, d.end, [m for m, _ in d.marked_by]) for d in found] == [
        (0, 5, ["a"]),
        (5, 10, ["a", "b"]),
    ]


def test_it_keeps_codes_apart():
    spans = [("a", 0, 10, "A"), ("b", 0, 10, "B")]
    found = drilldown.disagreements("x" * 20, spans, ["a", "b"], ["A", "B"])
    assert [(d.code, d.not_marked_by) for d in found] == [("A", ("b",)), ("B", ("a",))]


def test_it_ignores_coders_who_do_not_count():
    spans = [("a", 0, 10, "A"), ("b", 0, 10, "A"), ("late", 20, 30, "A")]
    assert drilldown.disagreements("x" * 40, spans, ["a", "b"], ["A"]) == []
    assert drilldown.disagreements("x" * 40, spans, ["a"], ["A"]) == []


def test_it_gives_a_columns_codings_and_the_disagreement_runs_as_data():
    spans = [("a", 9, 22, "B"), ("a", 0, 15, "A"), ("b", 0, 15, "A"), ("a", 30, 31, "X")]
    found = drilldown.disagreements(TEXT, spans, ["a", "b"], ["A", "B"])
    # a's spans in the report's codes (X is not one), by start: [rank, code id, start, end].
    assert drilldown.column_data(spans, "a", {"A": 1, "B": 2}) == [0, 1, 0, 15, 1, 2, 9, 22]
    assert drilldown.column_data(spans, "b", {"A": 1, "B": 2}) == [0, 1, 0, 15]
    # B only by a: [9, 15) and [15, 22) touch, framed as one run.
    assert drilldown.disagreement_data(found) == [9, 22]


def test_it_merges_touching_intervals():
    assert drilldown.merge([(5, 8), (0, 3), (3, 4), (7, 10)]) == [(0, 4), (5, 10)]
