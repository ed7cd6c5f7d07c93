"""Plots of the agreement report: SVG and PNG, titles and labels, undefined cells, determinism."""

from xml.etree import ElementTree

import pytest

from annotator.agreement import DocumentData, compute_report
from annotator.reports import plots

SVG = "{http://www.w3.org/2000/svg}"


def make_report(**kwargs):
    docs = [
        DocumentData(1, 40, ("ann", "bob"), (("ann", 0, 10, "A"), ("bob", 2, 10, "A"))),
        DocumentData(2, 40, ("ann", "bob"), (("ann", 5, 25, "A"), ("bob", 5, 20, "A"))),
        DocumentData(3, 40, ("ann", "cid"), (("ann", 0, 4, "A"), ("cid", 30, 35, "A"))),
    ]
    options = {"codes": ["A", "B"], "coders": ["ann", "bob", "cid"], "bootstrap": 30, "seed": 1}
    return compute_report(docs, **(options | kwargs))


@pytest.fixture(scope="module")
def report():
    return make_report()


def svg_text(data: bytes) -> str:
    return ElementTree.tostring(ElementTree.fromstring(data), encoding="unicode")  # noqa: S314 - our own plot output


@pytest.mark.parametrize("name", list(plots.PLOTS))
def test_it_renders_svg_with_a_title(report, name):
    data = plots.render(report, name, "svg")
    root = ElementTree.fromstring(data)  # noqa: S314 - our own plot output
    assert root.tag == SVG + "svg"
    # The document title is stored in the SVG's metadata (Dublin Core), for screen readers
    # and file browsers.
    assert plots.plot_title(name, report) in svg_text(data)


@pytest.mark.parametrize("name", list(plots.PLOTS))
def test_it_renders_png(report, name):
    data = plots.render(report, name, "png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 5000


@pytest.mark.parametrize("fmt", list(plots.FORMATS))
@pytest.mark.parametrize("name", list(plots.PLOTS))
def test_it_renders_the_same_bytes_twice(report, name, fmt):
    assert plots.render(report, name, fmt) == plots.render(report, name, fmt)


def test_it_draws_the_heatmap_with_undefined_pairs(report):
    # bob and cid share no document: their kappa is undefined and says so in the cell.
    pair = next(p for p in report.coder_matrix if {p.coder_a, p.coder_b} == {"bob", "cid"})
    assert pair.cohen_kappa.value is None
    fig = plots.heatmap_figure(report)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("undefined") == 2
    assert texts.count("—") == 3
    assert fig.axes[0].get_xlabel() == "coder" and fig.axes[0].get_ylabel() == "coder"


def test_it_labels_every_code_and_undefined_bars(report):
    fig = plots.per_code_figure(report)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "all codes"]
    # Code B was never applied: both its coefficients are undefined and labelled so.
    assert [t.get_text() for t in ax.texts].count("undefined") == 2
    assert ax.get_ylabel() == "coefficient"
    assert "95% bootstrap intervals" in ax.get_title()


def test_it_uses_the_colour_blind_safe_palette(report):
    fig = plots.per_code_figure(report)
    colours = {tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in fig.axes[0].patches}
    okabe = {
        tuple(round(int(h[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))
        for h in (plots.OKABE_ITO_BLUE, plots.OKABE_ITO_ORANGE)
    }
    assert colours == okabe


def test_it_refuses_an_unknown_plot(report):
    with pytest.raises(KeyError):
        plots.render(report, "pie", "svg")
    with pytest.raises(KeyError):
        plots.render(report, "heatmap", "gif")


def test_it_draws_a_report_without_bootstrap_or_pairs():
    report = make_report(coders=["ann"], bootstrap=0)
    assert plots.render(report, "heatmap", "png").startswith(b"\x89PNG")
    assert plots.render(report, "per-code", "png").startswith(b"\x89PNG")


def test_it_draws_a_report_with_no_coder_at_all():
    report = compute_report([], codes=["A"], coders=[], bootstrap=0)
    fig = plots.heatmap_figure(report)
    assert [t.get_text() for t in fig.axes[0].texts] == ["No coder to compare yet"]
    assert plots.render(report, "per-code", "svg").startswith(b"<?xml")
