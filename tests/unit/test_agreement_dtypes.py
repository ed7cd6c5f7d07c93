"""Integer dtypes: every public function that takes arrays gives the float copy's answer.

A signed integer array whose range overflows its dtype (int8 from -100 to 100: hi - lo = 200)
used to give a false "undefined" or a wrong value; ranges and shifts are now Python ints.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.agreement import (
    cohen_kappa,
    document_bootstrap,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    span_f1,
    unitized_alpha,
)

SIGNED = [np.int8, np.int16, np.int32]


def test_the_issue_example_gives_the_float_value():
    """Issue 12: int8 [[-100, 100, 0], [-100, 100, 100]] gave None; the float copy 0.5455."""
    data = np.array([[-100, 100, 0], [-100, 100, 100]], dtype=np.int8)
    for level in ("nominal", "ordinal", "interval"):
        ours = krippendorff_alpha(data, level=level)
        assert ours.value == pytest.approx(krippendorff_alpha(data.astype(float), level).value)
        theirs = krippendorff.alpha(reliability_data=data.astype(float), level_of_measurement=level)
        assert ours.value == pytest.approx(theirs, rel=1e-12)
    assert krippendorff_alpha(data).value == pytest.approx(0.5455, abs=1e-4)  # nominal


def extreme_rows(dtype, n_units: int, seed: int) -> np.ndarray:
    """Three coders x units with the dtype's own minimum and maximum among the values."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    values = np.array([info.min, info.min + 1, -1, 0, 1, info.max - 1, info.max], dtype=dtype)
    data = values[rng.integers(0, len(values), size=(3, n_units))]
    data[:, 0] = data[0, 0]  # one unit all agree, so the data are not all disagreement
    return data


@pytest.mark.parametrize("dtype", SIGNED)
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_units=st.integers(2, 30))
def test_every_coefficient_agrees_with_the_float_copy(dtype, seed, n_units):
    """int8/16/32 with negative values and the dtype's extremes: alpha (nominal, ordinal,
    interval), percent agreement, Cohen's kappa, Scott's pi and Fleiss' kappa equal the
    values computed from the float copy (exact in float64 for these widths)."""
    data = extreme_rows(dtype, n_units, seed)
    copy = data.astype(np.float64)
    for level in ("nominal", "ordinal", "interval"):
        a, b = krippendorff_alpha(data, level), krippendorff_alpha(copy, level)
        assert (a.value is None) == (b.value is None)
        if a.value is not None:
            assert a.value == pytest.approx(b.value, rel=1e-12, abs=1e-12)
    assert percent_agreement(data).value == pytest.approx(percent_agreement(copy).value)
    for fn in (cohen_kappa, scott_pi):
        a, b = fn(data[0], data[1]), fn(copy[0], copy[1])
        assert a.value == b.value and a.reason == b.reason
    a, b = fleiss_kappa(data), fleiss_kappa(copy)
    assert a.value == pytest.approx(b.value) if b.value is not None else a.value is None


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.uint16])
def test_ratio_level_and_unsigned_dtypes(dtype):
    """Ratio data (non-negative) near the top of the dtype, and unsigned arrays."""
    top = int(np.iinfo(dtype).max)
    data = np.array([[top, top - 1, 1, 0], [top, top - 3, 2, 0], [top - 1, top - 1, 1, 1]])
    data = data.astype(dtype)
    for level in ("nominal", "ordinal", "interval", "ratio"):
        a, b = krippendorff_alpha(data, level), krippendorff_alpha(data.astype(float), level)
        assert a.value == pytest.approx(b.value, rel=1e-12)


@pytest.mark.parametrize("dtype", SIGNED)
def test_offsets_of_numpy_integer_types(dtype):
    """unitized_alpha and span_f1 accept numpy integer offsets of any width: a continuum
    [-100, 100) in int8 offsets (begin + length would overflow int8) gives the same result
    as Python ints; the bootstrap takes integer statistics with negative values."""
    t = dtype
    segs = [("a", t(-100), t(-50), "x"), ("b", t(-90), t(-50), "x"), ("a", t(0), t(100), "y")]
    plain = [(w, int(s), int(e), c) for w, s, e, c in segs]
    got = unitized_alpha(segs, length=np.uint8(200), begin=t(-100))
    want = unitized_alpha(plain, length=200, begin=-100)
    assert got.value == pytest.approx(want.value, rel=1e-12) and got.d_e == want.d_e
    spans_a = [(t(120), t(127), "x"), (t(0), t(5), "x")]
    spans_b = [(t(120), t(127), "x")]
    assert span_f1(spans_a, spans_b).value == pytest.approx(2 / 3)
    stats = np.array([[-100, 100], [-50, 100], [127, 100]], dtype=t)
    result = document_bootstrap(stats, lambda s: s[:, 0] / s[:, 1], replicates=50, seed=1)
    assert result.estimate == pytest.approx(-23 / 300)
