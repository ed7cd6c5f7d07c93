"""Coefficients on predefined units: published examples, invariants, reference formulations."""

from __future__ import annotations

import itertools
import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    LEVELS,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from annotator.agreement import coefficients as coefficients_module

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (A-D) x 12 units, values 1-5, "." missing.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
K2011_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def expand_table(table: dict[tuple, int]) -> tuple[list, list]:
    """Two coders' sequences from a contingency table {(value_a, value_b): count}."""
    a, b = [], []
    for (va, vb), count in table.items():
        a += [va] * count
        b += [vb] * count
    return a, b


@pytest.mark.parametrize("level", LEVELS)
def test_it_reproduces_krippendorff_2011(level):
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", pp. 3-9: the 4 x 12
    example with missing values gives nominal .743, ordinal .815, interval .849, ratio .797."""
    result = krippendorff_alpha(K2011, level=level)
    assert round(result.value, 3) == K2011_PUBLISHED[level]
    assert result.reason is None
    assert result.value == pytest.approx(1 - result.d_o / result.d_e)


def test_it_reproduces_krippendorff_2011_from_numpy_and_sparse_counts(monkeypatch):
    """Same published values (Krippendorff 2011) from a float array with NaN, and through the
    sparse count path used for large units x values matrices."""
    arr = np.array([[np.nan if v is None else v for v in row] for row in K2011])
    dense = {lv: krippendorff_alpha(arr, level=lv).value for lv in LEVELS}
    monkeypatch.setattr(coefficients_module, "_DENSE_CELLS", 0)
    for level in LEVELS:
        sparse = krippendorff_alpha(K2011, level=level).value
        assert sparse == pytest.approx(dense[level], abs=1e-12)
        assert round(sparse, 3) == K2011_PUBLISHED[level]


def test_it_orders_ordinal_strings_by_value_domain():
    """Krippendorff (2011) ordinal value .815 with the values renamed to ordered labels; the
    order comes from value_domain, not from sorting the labels."""
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    data = [[None if v is None else names[v] for v in row] for row in K2011]
    domain = list(names.values())
    assert round(krippendorff_alpha(data, "ordinal", value_domain=domain).value, 3) == 0.815
    assert round(krippendorff_alpha(data, "nominal").value, 3) == 0.743


def test_it_reproduces_cohen_1960_second_example():
    """Cohen (1960), p. 45: 200 units, 3 categories; p_o = .70, p_e = .41, kappa = .492
    (table as in DKPro Statistics' Cohen1960Test)."""
    a, b = expand_table(
        {
            (1, 1): 88,
            (1, 2): 14,
            (1, 3): 18,
            (2, 1): 10,
            (2, 2): 40,
            (2, 3): 10,
            (3, 1): 2,
            (3, 2): 6,
            (3, 3): 12,
        }
    )
    result = cohen_kappa(a, b)
    assert result.p_o == pytest.approx(0.70)
    assert round(result.p_e, 2) == 0.41
    assert round(result.value, 3) == 0.492


def test_it_reproduces_cohen_1960_first_example_agreements():
    """Cohen (1960), p. 37: p_o = .29 and p_e = .35 for the 100-unit 3 x 3 table."""
    a, b = expand_table(
        {
            (1, 1): 25,
            (1, 2): 12,
            (1, 3): 3,
            (2, 1): 13,
            (2, 2): 2,
            (2, 3): 15,
            (3, 1): 12,
            (3, 2): 16,
            (3, 3): 2,
        }
    )
    result = cohen_kappa(a, b)
    assert round(result.p_o, 2) == 0.29
    assert round(result.p_e, 2) == 0.35
    assert result.value == pytest.approx((result.p_o - result.p_e) / (1 - result.p_e))


def test_it_reproduces_artstein_poesio_2008_examples():
    """Artstein & Poesio (2008), Computational Linguistics 34(4): the STAT/IReq example
    (p. 558; A_o = .7, pi = .341, kappa = .348) and the STAT/IReq/Chck example (p. 568;
    A_o = .88, pi = .7995, kappa = .8013); values as in DKPro Statistics'
    ArtsteinPoesio2008Test."""
    a, b = expand_table(
        {("STAT", "STAT"): 20, ("IReq", "STAT"): 20, ("STAT", "IReq"): 10, ("IReq", "IReq"): 50}
    )
    assert cohen_kappa(a, b).p_o == pytest.approx(0.7)
    assert round(scott_pi(a, b).value, 3) == 0.341
    assert round(scott_pi(a, b).p_e, 3) == 0.545
    assert round(cohen_kappa(a, b).value, 3) == 0.348
    assert percent_agreement([a, b]).value == pytest.approx(0.7)
    a, b = expand_table(
        {
            ("STAT", "STAT"): 46,
            ("IReq", "STAT"): 6,
            ("IReq", "IReq"): 32,
            ("IReq", "Chck"): 6,
            ("Chck", "Chck"): 10,
        }
    )
    assert scott_pi(a, b).value == pytest.approx(0.7995, abs=5e-5)
    assert cohen_kappa(a, b).value == pytest.approx(0.8013, abs=5e-5)
    # Two coders, no missing data: 1 - alpha = (2N - 1) / (2N) (1 - pi) (Krippendorff 2004).
    pi, alpha = scott_pi(a, b).value, krippendorff_alpha([a, b]).value
    assert 1 - alpha == pytest.approx((199 / 200) * (1 - pi))


def test_it_reproduces_krippendorff_1995_digitized_example():
    """Krippendorff (1995), p. 57, example A (Bertha and Bill) cut into 24 binary units:
    kappa = .385, pi = .314, alpha = .329 (as in DKPro Statistics' Krippendorff1995Test)."""
    bertha = [0, 0] + [1] * 8 + [0] * 4 + [1] * 6 + [0] * 4
    bill = [0] * 4 + [1] * 4 + [0] * 7 + [1] * 2 + [0] * 7
    assert round(cohen_kappa(bertha, bill).value, 3) == 0.385
    assert round(scott_pi(bertha, bill).value, 3) == 0.314
    assert round(krippendorff_alpha([bertha, bill]).value, 3) == 0.329


FLEISS_1971 = [  # Fleiss (1971), p. 379: 30 subjects, 6 ratings each, categories 1-5
    (4, 4, 4, 4, 4, 4),
    (2, 2, 2, 5, 5, 5),
    (2, 3, 3, 3, 3, 5),
    (5, 5, 5, 5, 5, 5),
    (2, 2, 2, 4, 4, 4),
    (1, 1, 3, 3, 3, 3),
    (3, 3, 3, 3, 5, 5),
    (1, 1, 3, 3, 3, 4),
    (1, 1, 4, 4, 4, 4),
    (5, 5, 5, 5, 5, 5),
    (1, 4, 4, 4, 4, 4),
    (1, 2, 4, 4, 4, 4),
    (2, 2, 2, 3, 3, 3),
    (1, 4, 4, 4, 4, 4),
    (2, 2, 4, 4, 4, 5),
    (3, 3, 3, 3, 3, 5),
    (1, 1, 1, 4, 5, 5),
    (1, 1, 1, 1, 1, 2),
    (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 5, 5, 5),
    (5, 5, 5, 5, 5, 5),
    (2, 4, 4, 4, 4, 4),
    (2, 2, 4, 5, 5, 5),
    (1, 1, 4, 4, 4, 4),
    (1, 4, 4, 4, 4, 5),
    (2, 2, 2, 2, 2, 4),
    (1, 1, 1, 1, 5, 5),
    (2, 2, 4, 4, 4, 4),
    (1, 3, 3, 3, 3, 3),
    (5, 5, 5, 5, 5, 5),
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects x 14 raters, counts per category 1-5.
WIKIPEDIA_FLEISS = [
    (0, 0, 0, 0, 14),
    (0, 2, 6, 4, 2),
    (0, 0, 3, 5, 6),
    (0, 3, 9, 2, 0),
    (2, 2, 8, 1, 1),
    (7, 7, 0, 0, 0),
    (3, 2, 6, 3, 0),
    (2, 5, 3, 2, 2),
    (6, 5, 2, 1, 0),
    (0, 2, 2, 3, 7),
]


def test_it_reproduces_fleiss_1971():
    """Fleiss (1971), Psychological Bulletin 76(5), p. 379: 30 subjects x 6 psychiatrists,
    P = .5556, P_e = .2201, kappa = .430 (data as in DKPro Statistics' Fleiss1971Test). The
    published P_e sums the squares of p_j rounded to three decimals; unrounded it is .21994."""
    data = np.array(FLEISS_1971).T  # raters x subjects; which rater gave which is immaterial
    result = fleiss_kappa(data)
    assert round(result.p_o, 4) == 0.5556
    assert result.p_e == pytest.approx(0.2201, abs=2e-4)
    assert round(result.value, 3) == 0.430


def test_it_reproduces_the_wikipedia_fleiss_example():
    """Wikipedia, "Fleiss' kappa" (worked example table, 10 subjects x 14 raters x 5
    categories): P = 0.378, P_e = 0.213, kappa = 0.210."""
    columns = [sum(([cat + 1] * n for cat, n in enumerate(row)), []) for row in WIKIPEDIA_FLEISS]
    result = fleiss_kappa(np.array(columns).T)
    assert round(result.p_o, 3) == 0.378
    assert round(result.p_e, 3) == 0.213
    assert round(result.value, 3) == 0.210


def test_it_reports_undefined_coefficients_with_reasons():
    """AGREEMENT.md "Undefined is an answer": None with a sentence, never 0, 1 or an error."""
    assert krippendorff_alpha([[1, N], [N, 2]]).reason == "no unit has two or more values"
    single = krippendorff_alpha([[1, 1, 1], [1, 1, N]])
    assert single.value is None and "single value (1)" in single.reason
    assert krippendorff_alpha(np.full((2, 3), np.nan)).value is None
    assert cohen_kappa([1, 1], [1, 1]).value is None
    assert "single value 1" in cohen_kappa([1, 1], [1, 1]).reason
    assert cohen_kappa([1, N], [N, 2]).reason == "no unit has values from both coders"
    assert scott_pi(["a", "a"], ["a", "a"]).value is None
    assert percent_agreement([[1, N], [N, 1]]).value is None
    missing = fleiss_kappa([[1, 2, 1], [1, N, 1], [1, 2, 2]])
    assert missing.value is None and "missing" in missing.reason
    assert fleiss_kappa([[1, 2, 3]]).value is None
    assert "single value" in fleiss_kappa([[2, 2], [2, 2]]).reason
    # Coders who disagree completely, with a single value each: defined, not undefined.
    assert cohen_kappa([1, 1], [2, 2]).value == 0.0


def test_it_drops_units_where_either_coder_is_missing():
    """cohen_kappa / scott_pi docstring: pairs with a missing value are dropped."""
    a, b = [1, 2, N, 1, 2, float("nan")], [1, 2, 2, 2, N, 1]
    assert cohen_kappa(a, b).value == cohen_kappa([1, 2, 1], [1, 2, 2]).value
    assert scott_pi(a, b).value == scott_pi([1, 2, 1], [1, 2, 2]).value


def test_it_rejects_invalid_input():
    """Invalid input raises ValueError with a clear message (unknown level, negative ratio
    data, non-numeric interval data, values outside value_domain, ragged or 1-D data)."""
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha(K2011, level="circular")
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], level="ratio")
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval")
    with pytest.raises(ValueError, match="not in value_domain"):
        krippendorff_alpha([[1, 2], [1, 3]], value_domain=[1, 2])
    with pytest.raises(ValueError, match="not in value_domain"):
        krippendorff_alpha([["a", "b"], ["a", "c"]], value_domain=["a", "b"])
    with pytest.raises(ValueError, match="same units"):
        krippendorff_alpha([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="same units"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="two-dimensional"):
        krippendorff_alpha(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="infinite"):
        krippendorff_alpha(np.array([[1.0, np.inf], [1.0, 2.0]]))


def reference_alpha(data, level, domain=None):
    """Straight from the coincidence definition (Krippendorff 2011): O(N m^2) pair loops."""
    values = domain or sorted({v for row in data for v in row if v is not None})
    pos = {v: i for i, v in enumerate(values)}
    V = len(values)
    o = [[0.0] * V for _ in range(V)]
    for u in range(len(data[0])):
        col = [row[u] for row in data if row[u] is not None]
        if len(col) < 2:
            continue
        for i, j in itertools.permutations(range(len(col)), 2):
            o[pos[col[i]]][pos[col[j]]] += 1.0 / (len(col) - 1)
    n_c = [sum(r) for r in o]
    n = sum(n_c)
    if n == 0 or sum(1 for x in n_c if x > 0) < 2:
        return None

    def d2(c, k):
        if level == "nominal":
            return float(c != k)
        if level == "ordinal":
            lo, hi = min(c, k), max(c, k)
            return (sum(n_c[lo : hi + 1]) - (n_c[c] + n_c[k]) / 2) ** 2
        vc, vk = values[c], values[k]
        if level == "interval":
            return (vc - vk) ** 2
        return 0.0 if vc + vk == 0 else ((vc - vk) / (vc + vk)) ** 2

    d_o = sum(o[c][k] * d2(c, k) for c in range(V) for k in range(V))
    d_e = sum(n_c[c] * n_c[k] * d2(c, k) for c in range(V) for k in range(V))
    return 1 - (n - 1) * d_o / d_e


reliability_data = st.integers(2, 5).flatmap(
    lambda m: st.integers(1, 12).flatmap(
        lambda n: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=n, max_size=n),
            min_size=m,
            max_size=m,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(data=reliability_data, level=st.sampled_from(LEVELS))
def test_it_matches_the_coincidence_definition(data, level):
    """Property: equals the O(N m^2) reference from Krippendorff's (2011) definition."""
    expected = reference_alpha(data, level)
    result = krippendorff_alpha(data, level=level)
    if expected is None:
        assert result.value is None and result.reason
    else:
        assert result.value == pytest.approx(expected, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=reliability_data)
def test_it_agrees_with_the_krippendorff_package(data):
    """Property: an independent implementation (krippendorff 0.9, PyPI) gives the same alpha
    whenever both define it."""
    result = krippendorff_alpha(data)
    arr = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    if result.value is None:
        return
    theirs = krippendorff.alpha(reliability_data=arr, level_of_measurement="nominal")
    assert result.value == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(data=reliability_data, seed=st.integers(0, 2**32 - 1))
def test_it_ignores_coder_and_unit_order(data, seed):
    """Invariant: permuting coders or units changes no coefficient."""
    rng = np.random.default_rng(seed)
    coders = rng.permutation(len(data))
    units = rng.permutation(len(data[0]))
    shuffled = [[data[c][u] for u in units] for c in coders]
    for level in LEVELS:
        a, b = krippendorff_alpha(data, level).value, krippendorff_alpha(shuffled, level).value
        assert (a is None and b is None) or a == pytest.approx(b, abs=1e-12)
    pa, pb = percent_agreement(data).value, percent_agreement(shuffled).value
    assert (pa is None and pb is None) or pa == pytest.approx(pb)


@settings(max_examples=60, deadline=None)
@given(row=st.lists(st.integers(0, 3), min_size=2, max_size=15), m=st.integers(2, 4))
def test_it_gives_one_for_identical_codings(row, m):
    """Invariant: identical codings give 1 whenever two values occur (else undefined)."""
    data = [row] * m
    result = krippendorff_alpha(data)
    if len(set(row)) > 1:
        assert result.value == 1.0
        assert cohen_kappa(row, row).value == 1.0
        assert scott_pi(row, row).value == 1.0
        assert fleiss_kappa(data).value == pytest.approx(1.0)
    else:
        assert result.value is None
    assert percent_agreement(data).value == 1.0


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=1, max_size=30))
def test_kappa_and_pi_match_their_definitions(pairs):
    """Property: Cohen (1960) and Scott (1955) from the marginals, in plain floats."""
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    n = len(pairs)
    p_o = sum(x == y for x, y in pairs) / n
    cats = range(3)
    pe_k = sum((a.count(c) / n) * (b.count(c) / n) for c in cats)
    pe_pi = sum(((a.count(c) + b.count(c)) / (2 * n)) ** 2 for c in cats)
    kappa, pi = cohen_kappa(a, b), scott_pi(a, b)
    assert (kappa.value is None) == math.isclose(pe_k, 1.0)
    if kappa.value is not None:
        assert kappa.value == pytest.approx((p_o - pe_k) / (1 - pe_k))
    assert (pi.value is None) == math.isclose(pe_pi, 1.0)
    if pi.value is not None:
        assert pi.value == pytest.approx((p_o - pe_pi) / (1 - pe_pi))


def test_many_categories_from_numpy_arrays():
    """Regression: 100 categories (one-byte codes internally) give the definitional kappa, pi
    and alpha (Cohen 1960; Scott 1955; the reference above) and match the list input."""
    rng = np.random.default_rng(11)
    a = rng.integers(0, 100, size=400).astype(float)
    b = np.where(rng.random(400) < 0.6, a, rng.integers(0, 100, size=400)).astype(float)
    n = len(a)
    p_o = float((a == b).mean())
    p_e = sum((a == c).mean() * (b == c).mean() for c in range(100))
    assert cohen_kappa(a, b).value == pytest.approx((p_o - p_e) / (1 - p_e))
    pooled = sum(((a == c).sum() + (b == c).sum()) ** 2 for c in range(100)) / (2 * n) ** 2
    assert scott_pi(a, b).value == pytest.approx((p_o - pooled) / (1 - pooled))
    listed = [a.astype(int).tolist(), b.astype(int).tolist()]
    expected = reference_alpha(listed, "nominal")
    assert krippendorff_alpha(np.stack([a, b])).value == pytest.approx(expected)
    assert krippendorff_alpha(listed).value == pytest.approx(expected)


def test_fleiss_kappa_treats_a_unit_with_one_value_like_a_unit_with_none():
    """A unit one coder alone rated holds no pairable value: it is left out, as a unit nobody
    rated, instead of making the coefficient undefined as "missing data"."""
    complete = fleiss_kappa([[1, 2, 1, 2], [1, 2, 2, 2]])
    assert fleiss_kappa([[1, 2, 1, 2, 1], [1, 2, 2, 2, N]]).value == complete.value
    assert fleiss_kappa([[1, 2, 1, 2, N], [1, 2, 2, 2, N]]).value == complete.value
    assert fleiss_kappa([[1, N], [N, 2]]).reason == "no unit has values from two or more coders"
