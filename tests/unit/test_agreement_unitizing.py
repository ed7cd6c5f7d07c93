"""Krippendorff's alpha_u: published examples, a brute-force reference, corpus pooling."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import DocumentData, compute_report, unitized_alpha
from annotator.agreement.unitizing import alpha_u_results

# Krippendorff (2004), Content Analysis, 2nd ed., p. 254 (as in DKPro Statistics'
# Krippendorff2004Test): continuum [150, 450), two coders, codes c and k.
K2004 = [
    ("i", 225, 295, "c"),
    ("i", 370, 400, "c"),
    ("j", 220, 300, "c"),
    ("j", 355, 375, "c"),
    ("j", 400, 420, "c"),
    ("i", 180, 240, "k"),
    ("i", 300, 350, "k"),
    ("j", 180, 240, "k"),
    ("j", 300, 350, "k"),
]

# Krippendorff (1995), "On the reliability of unitizing continuous data", Sociological
# Methodology 25, p. 57: four pairs of coders on a continuum of 24; (offset, length, coder).
K1995 = {
    "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
    "B": [(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
    "C": [
        (2, 6, 0),
        (10, 2, 0),
        (14, 4, 0),
        (20, 2, 0),
        (0, 2, 1),
        (4, 4, 1),
        (10, 4, 1),
        (16, 2, 1),
        (20, 2, 1),
    ],
    "D": [
        (0, 2, 0),
        (2, 8, 0),
        (10, 4, 0),
        (14, 6, 0),
        (20, 4, 0),
        (0, 4, 1),
        (4, 4, 1),
        (8, 7, 1),
        (15, 2, 1),
        (17, 7, 1),
    ],
}
K1995_D_O = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
K1995_ALPHA = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}


def k1995_segments(code: str, stretch: int = 1):
    """Example ``code`` of Krippendorff (1995) as (coder, start, end, code) segments, every
    offset multiplied by ``stretch``; abutting units of one coder are given as they are."""
    return [(coder, o * stretch, (o + n) * stretch, code) for o, n, coder in K1995[code]]


def k1995_components(stretch: int):
    """D_O and D_E of the four 1995 examples through the public function."""
    d_o, d_e = {}, {}
    for code in K1995:
        result = unitized_alpha(k1995_segments(code, stretch), length=24 * stretch, code=code)
        d_o[code], d_e[code] = result.d_o, result.d_e
    return d_o, d_e


def test_it_reproduces_krippendorff_2004():
    """Krippendorff (2004, p. 254; values as in DKPro Statistics' Krippendorff2004Test):
    code c: D_O = .0144, D_E = .0532, alpha_u = .7286; code k: D_O = 0, D_E = .0490, 1.
    By hand from AGREEMENT.md: D_O(c) = (50 + 850 + 400) / 300^2 and
    D_E(c) = (2/300) * 2,767,160 / (600 * 599 - 12,780)."""
    c = unitized_alpha(K2004, length=300, begin=150, code="c")
    assert c.d_o == pytest.approx(1300 / 300**2, rel=1e-12)
    assert c.d_e == pytest.approx(2 * 2767160 / (300 * (600 * 599 - 12780)), rel=1e-12)
    assert round(c.d_o, 4) == 0.0144 and round(c.d_e, 4) == 0.0532
    assert round(c.value, 4) == 0.7286
    k = unitized_alpha(K2004, length=300, begin=150, code="k")
    assert k.d_o == 0 and round(k.d_e, 4) == 0.0490 and k.value == 1.0
    pooled = unitized_alpha(K2004, length=300, begin=150)
    assert pooled.value == pytest.approx(1 - (c.d_o + k.d_o) / (c.d_e + k.d_e))


def test_it_reproduces_krippendorff_1995_observed_disagreement():
    """Krippendorff (1995), p. 57: D_O = .03125 (A), 2.26736 (B), .02777 (C), .38715 (D), the
    same at any resolution of the continuum (values as in DKPro's Krippendorff1995Test)."""
    for stretch in (1, 10, 1000):
        d_o, _ = k1995_components(stretch)
        for code, published in K1995_D_O.items():
            assert d_o[code] == pytest.approx(published, abs=1e-5)


def test_it_approaches_krippendorff_1995_alphas_on_a_fine_continuum():
    """Krippendorff (1995), p. 57: alpha_u = .553 (A), -.926 (B), .066 (D). The paper's D_E
    behaves like a continuous (infinitely fine) continuum, so the 2004 formula reaches these
    values as the 24 positions are refined (here x 50,000). Example C does not reproduce:
    D_E(C) tends to .0905, not the published .08642 (alpha .693, not .679); DKPro Statistics
    notes an apparent error in the 1995 D_E. For C we check the hand computation instead:
    units 6, 4, 4, 4 and five of 2, ten gaps of 2, N = 9, so
    D_E = (2/24) * (880 + 3 * 224 + 5 * 56) / (48 * 47 - 76)."""
    d_o, d_e = k1995_components(50_000)
    assert 1 - d_o["A"] / d_e["A"] == pytest.approx(K1995_ALPHA["A"], abs=1e-3)
    assert 1 - d_o["D"] / d_e["D"] == pytest.approx(K1995_ALPHA["D"], abs=1e-3)
    assert 1 - d_o["B"] / d_e["B"] == pytest.approx(K1995_ALPHA["B"], abs=3e-3)
    _, d_e1 = k1995_components(1)
    assert d_e1["C"] == pytest.approx((2 / 24) * 1832 / 2180, rel=1e-12)


def test_the_1995_examples_keep_abutting_units_apart():
    """Examples B and D have abutting units of one coder; the published D_O (2.26736, .38715)
    needs them kept apart. Merged, B's coder 1 would be one unit [0, 10) and D's coders would
    be single units [0, 24), giving D_O = 0 and alpha_u = 1 for D."""
    b = unitized_alpha(k1995_segments("B"), length=24, code="B")
    d = unitized_alpha(k1995_segments("D"), length=24, code="D")
    assert b.d_o == pytest.approx(2.26736, abs=1e-5) and d.d_o == pytest.approx(0.38715, abs=1e-5)
    assert b.notes == () and d.notes == ()  # nothing overlaps, so nothing was merged
    pooled = unitized_alpha(
        [s for code in K1995 for s in k1995_segments(code)], length=24, coders=[0, 1]
    )
    assert pooled.d_o == pytest.approx(sum(K1995_D_O.values()), abs=4e-5)


def test_touching_units_are_two_units_as_published():
    """Issue 12: A marks [0, 5) and [5, 10), B marks [0, 10), continuum 30. Published method:
    D_O = 2 * (5^2 + 5^2) / (2 * 30^2); D_E from units 5, 5, 10 and gaps 20, 20 (N = 3):
    (N - 1) * (60 + 60 + 570) + 2 * 2 * 25 * 16 + 2 * 100 * 11 = 5180 over
    60 * 59 - (20 + 20 + 90), times 2/30. Merging A's units would give D_O = 0, alpha_u = 1."""
    result = unitized_alpha([("A", 0, 5, "x"), ("A", 5, 10, "x"), ("B", 0, 10, "x")], length=30)
    assert result.d_o == pytest.approx(50 / 900, rel=1e-12)
    d_e = (2 / 30) * 5180 / (60 * 59 - 130)
    assert result.d_e == pytest.approx(d_e, rel=1e-12)
    assert round(result.value, 3) == 0.451
    assert result.variant.startswith("Krippendorff's alpha_u of 1995/2004 as in DKPro")


def ref_merge(intervals):
    out = []
    for s, e in sorted(intervals):
        if out and s < out[-1][1]:  # overlapping only: touching units stay apart
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [tuple(x) for x in out]


def ref_segments(units, length):
    segs, pos = [], 0
    for s, e in units:
        if s > pos:
            segs.append((pos, s, False))
        segs.append((s, e, True))
        pos = e
    if pos < length:
        segs.append((pos, length, False))
    return segs


def reference_components(documents):
    """Brute force from AGREEMENT.md, in exact fractions, for one code. ``documents`` is a
    list of (L, {coder: [(start, end), ...]}) over the coders who count for the document.
    Corpus pooling as in unitizing.py: L = sum L_d, T = sum R_d L_d, P = sum R_d (R_d-1) L_d."""
    total_l = total_t = total_p = dsum = 0
    units, gaps = [], []
    for length, marks in documents:
        coders = sorted(marks)
        if len(coders) < 2:
            continue
        total_l += length
        total_t += len(coders) * length
        total_p += len(coders) * (len(coders) - 1) * length
        segs = {c: ref_segments(ref_merge(marks[c]), length) for c in coders}
        for c in coders:
            units += [e - s for s, e, is_unit in segs[c] if is_unit]
            gaps += [e - s for s, e, is_unit in segs[c] if not is_unit]
        for i, a in enumerate(coders):
            for b in coders[i + 1 :]:
                for sg, eg, ug in segs[a]:
                    for sh, eh, uh in segs[b]:
                        if not (sg < eh and sh < eg):
                            continue  # only intersecting segment pairs
                        if ug and uh:
                            dsum += (sg - sh) ** 2 + (eg - eh) ** 2
                        elif ug and sh <= sg and eg <= eh:
                            dsum += (eg - sg) ** 2  # unit g inside gap h
                        elif uh and sg <= sh and eh <= eg:
                            dsum += (eh - sh) ** 2  # unit h inside gap g
    if total_p == 0:
        return None, None, 0
    n = len(units)
    numerator = sum(
        Fraction((n - 1) * (2 * u**3 - 3 * u**2 + u), 3)
        + u * u * sum(g - u + 1 for g in gaps if g >= u)
        for u in units
    )
    denominator = total_t * (total_t - 1) - sum(u * (u - 1) for u in units)
    d_o = Fraction(2 * dsum, total_p * total_l)
    d_e = 2 * numerator / (total_l * denominator)
    return d_o, d_e, n


@st.composite
def continuum(draw, max_coders=4, max_len=30):
    length = draw(st.integers(1, max_len))
    n_coders = draw(st.integers(2, max_coders))
    codes = draw(st.sampled_from([["x"], ["x", "y"]]))
    segments = []
    for coder in range(n_coders):
        for _ in range(draw(st.integers(0, 4))):
            s = draw(st.integers(0, length - 1))
            e = draw(st.integers(s + 1, length))
            segments.append((f"c{coder}", s, e, draw(st.sampled_from(codes))))
    return length, [f"c{i}" for i in range(n_coders)], codes, segments


@settings(max_examples=200, deadline=None)
@given(case=continuum())
def test_it_matches_the_brute_force_formula(case):
    """Property: every D_O, D_E and alpha_u equals the brute-force per-pair enumeration of
    AGREEMENT.md (exact fractions), per code and pooled over codes."""
    length, coders, codes, segments = case
    total_o = total_e = Fraction(0)
    for code in codes:
        marks = {
            c: [(s, e) for who, s, e, what in segments if who == c and what == code] for c in coders
        }
        d_o, d_e, n_units = reference_components([(length, marks)])
        total_o, total_e = total_o + d_o, total_e + d_e
        result = unitized_alpha(segments, length=length, code=code, coders=coders)
        if n_units == 0 or d_e == 0:
            assert result.value is None and result.reason
            continue
        assert result.d_o == pytest.approx(float(d_o), rel=1e-9, abs=1e-15)
        assert result.d_e == pytest.approx(float(d_e), rel=1e-9)
        assert result.value == pytest.approx(float(1 - d_o / d_e), rel=1e-9, abs=1e-12)
    pooled = unitized_alpha(segments, length=length, coders=coders)
    if total_e > 0:
        assert pooled.value == pytest.approx(float(1 - total_o / total_e), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=continuum(), seed=st.integers(0, 2**32 - 1))
def test_it_ignores_coder_order_and_rewards_identical_codings(case, seed):
    """Invariants: coder order does not matter; identical codings give 1 when defined."""
    length, coders, codes, segments = case
    order = list(np.random.default_rng(seed).permutation(coders))
    a = unitized_alpha(segments, length=length, coders=coders)
    b = unitized_alpha(segments, length=length, coders=order)
    assert (a.value is None and b.value is None) or a.value == pytest.approx(b.value)
    copies = [(c, s, e, k) for who, s, e, k in segments if who == coders[0] for c in coders]
    same = unitized_alpha(copies, length=length, coders=coders)
    assert same.value is None or same.value == pytest.approx(1.0)


def test_it_merges_only_overlapping_spans_and_says_so():
    """UNIT_RULE: overlapping same-code spans of one coder become their union (with a note);
    touching ones stay two units; zero-length segments are ignored (as DKPro does)."""
    overlapping = [("a", 0, 3, "x"), ("a", 2, 5, "x"), ("a", 4, 8, "x"), ("b", 1, 8, "x")]
    whole = [("a", 0, 8, "x"), ("b", 1, 8, "x")]
    merged = unitized_alpha(overlapping, length=12)
    assert (merged.value, merged.d_o, merged.d_e) == pytest.approx(
        (
            unitized_alpha(whole, length=12).value,
            unitized_alpha(whole, length=12).d_o,
            unitized_alpha(whole, length=12).d_e,
        )
    )
    assert len(merged.notes) == 1 and merged.notes[0].startswith("2 overlapping same-code")
    touching = unitized_alpha([("a", 0, 4, "x"), ("a", 4, 8, "x"), ("b", 0, 8, "x")], length=12)
    assert touching.value < unitized_alpha([("a", 0, 8, "x"), ("b", 0, 8, "x")], length=12).value
    assert touching.notes == ()
    zero = [("a", 3, 3, "x"), ("a", 0, 8, "x"), ("b", 1, 8, "x"), ("b", 12, 12, "x")]
    assert unitized_alpha(zero, length=12) == unitized_alpha(whole, length=12)
    only_zero = unitized_alpha([("a", 3, 3, "x"), ("b", 0, 0, "x")], length=5)
    assert only_zero.value is None and "no coder marked any unit" in only_zero.reason


@st.composite
def split_units(draw):
    """Two coders' disjoint units; some of coder a's units are cut into touching pieces."""
    length = draw(st.integers(2, 40))
    cuts = sorted(draw(st.sets(st.integers(0, length), min_size=2, max_size=10)))
    whole = [(s, e) for s, e in zip(cuts, cuts[1:], strict=False) if draw(st.booleans())]
    pieces = []
    for s, e in whole:
        inner = sorted(draw(st.sets(st.integers(s + 1, e - 1), max_size=3))) if e - s > 1 else []
        bounds = [s, *inner, e]
        pieces += list(zip(bounds, bounds[1:], strict=False))
    other = draw(st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, 5)), max_size=4))
    b_units = ref_merge([(s, min(s + n, length)) for s, n in other])
    return length, whole, pieces, b_units


@settings(max_examples=200, deadline=None)
@given(case=split_units())
def test_touching_units_are_never_merged(case):
    """Property: cutting a coder's unit into touching pieces gives alpha_u of the pieces as
    separate units (the brute-force definition with no merging), never that of the whole;
    against an identical coder the pieces disagree (D_O > 0) wherever a unit was cut."""
    length, whole, pieces, b_units = case
    segments = [("a", s, e, "x") for s, e in pieces] + [("b", s, e, "x") for s, e in b_units]
    result = unitized_alpha(segments, length=length, code="x", coders=["a", "b"])
    d_o, d_e, n_units = reference_components([(length, {"a": pieces, "b": b_units})])
    assert n_units == len(pieces) + len(b_units)
    if n_units and d_e:
        assert result.d_o == pytest.approx(float(d_o), rel=1e-9, abs=1e-15)
        assert result.d_e == pytest.approx(float(d_e), rel=1e-9)
    assert result.notes == ()
    mirror = [("a", s, e, "x") for s, e in pieces] + [("b", s, e, "x") for s, e in whole]
    against_whole = unitized_alpha(mirror, length=length, code="x", coders=["a", "b"])
    if len(pieces) > len(whole):
        assert against_whole.d_o > 0 and against_whole.value < 1
    elif against_whole.defined:  # undefined when one unit covers the whole continuum
        assert against_whole.d_o == 0 and against_whole.value == 1


def test_it_explains_undefined_values_and_rejects_invalid_input():
    """Undefined alpha_u is None with a reason (AGREEMENT.md); invalid continua raise."""
    assert "at least two coders" in unitized_alpha([("a", 0, 2, "x")], length=5).reason
    nobody = unitized_alpha([("a", 0, 2, "x")], length=5, code="y", coders=["a", "b"])
    assert nobody.value is None and nobody.reason == "no coder marked any unit of code 'y'"
    assert unitized_alpha([], length=5, coders=["a", "b"]).value is None
    # A coder who marked nothing still counts when listed.
    silent = unitized_alpha([("a", 0, 2, "x")], length=5, coders=["a", "b"])
    assert silent.value is not None and silent.value < 1
    with pytest.raises(ValueError, match="positive"):
        unitized_alpha([], length=0)
    with pytest.raises(ValueError, match="end < start"):
        unitized_alpha([("a", 3, 2, "x")], length=5)
    with pytest.raises(ValueError, match="outside the continuum"):
        unitized_alpha([("a", 3, 6, "x")], length=5)
    with pytest.raises(ValueError, match="outside the continuum"):
        unitized_alpha([("a", 1, 3, "x")], length=5, begin=2)
    with pytest.raises(ValueError, match="not in coders"):
        unitized_alpha([("z", 1, 3, "x")], length=5, coders=["a", "b"])


@st.composite
def corpus(draw, complete=False, boundary_safe=False):
    """Documents x coders x codes; ``boundary_safe`` puts a unit at the start and a gap at the
    end of every coder's every code, so no segment could merge across a document boundary."""
    coders, codes = ["a", "b", "c"], ["x", "y"]
    docs = []
    for i in range(draw(st.integers(1, 4))):
        length = draw(st.integers(3, 25))
        counted = tuple(coders) if complete else tuple(c for c in coders if draw(st.booleans()))
        spans = []
        for coder in coders:
            for code in codes:
                if boundary_safe:
                    spans.append((coder, 0, draw(st.integers(1, length - 2)), code))
                top = length - 1 if boundary_safe else length
                for _ in range(draw(st.integers(0, 3))):
                    s = draw(st.integers(0, top - 1))
                    spans.append((coder, s, draw(st.integers(s + 1, top)), code))
        docs.append(DocumentData(id=i, length=length, coders=counted, spans=tuple(spans)))
    return coders, codes, docs


@settings(max_examples=100, deadline=None)
@given(case=corpus())
def test_corpus_pooling_matches_the_brute_force_definition(case):
    """Property: the report's corpus alpha_u (per code and pooled) equals the brute-force
    pooled formula (unitizing.py docstring), with missing data: a coder only contributes to
    documents they count for, and coder pairs only meet where both count."""
    coders, codes, docs = case
    report = compute_report(docs, codes=codes, coders=coders, bootstrap=0)
    totals = [Fraction(0), Fraction(0)]
    for k, code in enumerate(codes):
        documents = [
            (
                d.length,
                {c: [(s, e) for w, s, e, x in d.spans if w == c and x == code] for c in d.coders},
            )
            for d in docs
        ]
        d_o, d_e, n_units = reference_components(documents)
        got = report.per_code[k].unitized_alpha
        if d_o is None or n_units == 0 or d_e == 0:
            assert got.value is None and got.reason
            continue
        totals = [totals[0] + d_o, totals[1] + d_e]
        assert got.value == pytest.approx(float(1 - d_o / d_e), rel=1e-9, abs=1e-12)
    if totals[1] > 0:
        expected = float(1 - totals[0] / totals[1])
        assert report.overall.unitized_alpha.value == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(case=corpus(), seed=st.integers(0, 2**32 - 1))
def test_corpus_alpha_u_does_not_depend_on_document_order(case, seed):
    """Document boundaries are segment boundaries, so shuffling the documents changes nothing
    (a bootstrap replicate is a multiset of documents, without order)."""
    coders, codes, docs = case
    shuffled = [docs[i] for i in np.random.default_rng(seed).permutation(len(docs))]
    a = compute_report(docs, codes=codes, coders=coders, bootstrap=0).overall.unitized_alpha
    b = compute_report(shuffled, codes=codes, coders=coders, bootstrap=0).overall.unitized_alpha
    assert (a.value is None and b.value is None) or a.value == pytest.approx(b.value, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=corpus(complete=True, boundary_safe=True))
def test_corpus_pooling_equals_the_concatenated_continuum(case):
    """When every coder counts for every document, pooled alpha_u is alpha_u of the
    concatenated continuum (documents laid end to end), per code and over codes."""
    coders, codes, docs = case
    report = compute_report(docs, codes=codes, coders=coders, bootstrap=0)
    offsets = np.cumsum([0] + [d.length for d in docs])
    joined = [
        (w, s + offsets[i], e + offsets[i], x) for i, d in enumerate(docs) for w, s, e, x in d.spans
    ]
    total = int(offsets[-1])
    for k, code in enumerate(codes):
        direct = unitized_alpha(joined, length=total, code=code, coders=coders)
        assert report.per_code[k].unitized_alpha.value == pytest.approx(direct.value, rel=1e-9)
    direct = unitized_alpha(joined, length=total, coders=coders)
    assert report.overall.unitized_alpha.value == pytest.approx(direct.value, rel=1e-9)


def test_per_document_values_equal_the_single_continuum_function():
    """The per-document table's alpha_u is unitized_alpha on that document alone, over the
    coders who count for it."""
    docs = [
        DocumentData(1, 20, ("a", "b"), (("a", 0, 5, "x"), ("b", 1, 6, "x"), ("a", 9, 12, "y"))),
        DocumentData(
            2,
            15,
            ("a", "b", "c"),
            (("a", 2, 9, "x"), ("c", 2, 8, "x"), ("b", 0, 4, "y"), ("c", 10, 15, "y")),
        ),
    ]
    report = compute_report(docs, codes=["x", "y"], coders=["a", "b", "c"], bootstrap=0)
    for doc, row in zip(docs, report.documents, strict=True):
        direct = unitized_alpha(doc.spans, length=doc.length, coders=list(doc.coders))
        assert row.unitized_alpha.value == pytest.approx(direct.value, rel=1e-12)


def test_alpha_u_results_explains_each_undefined_case():
    """alpha_u_results: no usable document, no unit, zero expected disagreement."""
    nan = float("nan")
    per_code, pooled = alpha_u_results(np.array([nan]), np.array([nan]), np.array([0.0]), ["x"])
    assert "two or more counted coders" in per_code[0].reason and pooled.value is None
    per_code, pooled = alpha_u_results(
        np.array([0.0, 0.1]), np.array([0.0, 0.2]), np.array([0.0, 3.0]), ["x", "y"]
    )
    assert per_code[0].reason == "no coder marked any unit of code 'x'"
    assert per_code[1].value == pytest.approx(0.5) and pooled.value == pytest.approx(0.5)
    one_char = unitized_alpha([("a", 0, 1, "x"), ("b", 0, 1, "x")], length=1)
    assert one_char.value is None and "expected disagreement" in one_char.reason
