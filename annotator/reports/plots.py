"""Plots of an agreement report, rendered to SVG and PNG bytes with matplotlib (Agg).

Two plots: the coder x coder heatmap of Cohen's kappa (character level, all codes pooled) and a
per-code bar chart of alpha_u and character-level alpha with their bootstrap intervals. Figures
are built with ``matplotlib.figure.Figure`` (not ``pyplot``), so no global state is shared
between requests. Colours are from the Okabe-Ito palette and the colour-blind-safe ``cividis``
map; every figure carries a title, axis labels and printed values, so no reading depends on
colour alone. Output is deterministic: a fixed SVG id salt and no timestamps, so the same report
gives the same bytes (the export ZIP relies on it).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from ..agreement import Report  # noqa: E402
from .plot_names import FORMATS, PLOTS, plot_title  # noqa: E402, F401

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour
# vision deficiency.
OKABE_ITO_BLUE = "#0072B2"
OKABE_ITO_ORANGE = "#E69F00"
UNDEFINED_GREY = "#d9d9d9"
# Labels are user text (code and coder names): "$" must stay a dollar sign, never start
# mathtext ("Money $$" would not even parse), so maths parsing is off for every text.
_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "annotator-report",
    "svg.fonttype": "path",
    "font.size": 10,
    "text.parse_math": False,
}


def heatmap_figure(report: Report) -> Figure:
    coders = list(report.coders)
    n = len(coders)
    values = np.full((n, n), np.nan)
    index = {c: i for i, c in enumerate(coders)}
    for pair in report.coder_matrix:
        a, b = index[pair.coder_a], index[pair.coder_b]
        v = pair.cohen_kappa.value
        values[a, b] = values[b, a] = np.nan if v is None else v
    size = max(3.5, 1.1 * n + 2.0)
    fig = Figure(figsize=(size + 1.2, size), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(PLOTS["heatmap"], fontsize=10, wrap=True)
    if n == 0:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No coder to compare yet", ha="center", va="center")
        return fig
    cmap = matplotlib.colormaps["cividis"].with_extremes(bad=UNDEFINED_GREY)
    image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=-1.0, vmax=1.0)
    for i in range(n):
        for j in range(n):
            if i == j:
                label, colour = "—", "black"
            elif np.isnan(values[i, j]):
                label, colour = "undefined", "black"
            else:
                # Light text on the dark (low) end of cividis, dark text on the bright end.
                label = f"{values[i, j]:.2f}"
                colour = "white" if values[i, j] < 0.2 else "black"
            ax.text(j, i, label, ha="center", va="center", color=colour, fontsize=9)
    ax.set_xticks(range(n), coders, rotation=30, ha="right")
    ax.set_yticks(range(n), coders)
    ax.set_xlabel("coder")
    ax.set_ylabel("coder")
    fig.colorbar(image, ax=ax, label="Cohen's kappa", shrink=0.8)
    return fig


def per_code_figure(report: Report) -> Figure:
    rows = [*report.per_code, report.overall]
    labels = [r.code if r.code is not None else "all codes" for r in rows]
    series = [
        ("unitized_alpha", "Krippendorff's alpha_u", OKABE_ITO_BLUE, ""),
        ("char_alpha", "Krippendorff's alpha (characters)", OKABE_ITO_ORANGE, "//"),
    ]
    fig = Figure(figsize=(max(5.5, 1.2 * len(rows) + 2.5), 4.2), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    width = 0.38
    for s, (attr, name, colour, hatch) in enumerate(series):
        offset = (s - 0.5) * width
        for i, row in enumerate(rows):
            est = getattr(row, attr)
            pos = x[i] + offset
            if est.value is None:
                ax.text(pos, 0.02, "undefined", rotation=90, ha="center", va="bottom", fontsize=8)
                continue
            ax.bar(pos, est.value, width, color=colour, hatch=hatch, edgecolor="black",
                   linewidth=0.6, label=name if i == 0 else None)  # fmt: skip
            if est.ci_low is not None:
                err = [[max(est.value - est.ci_low, 0.0)], [max(est.ci_high - est.value, 0.0)]]
                ax.errorbar(pos, est.value, yerr=err, fmt="none", ecolor="black", capsize=3)
    # One legend entry per series even when its first bar is undefined.
    handles = [Patch(facecolor=c, hatch=h, edgecolor="black", label=n) for _, n, c, h in series]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.axhline(0.8, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylim(min(-0.1, _lowest(rows) - 0.05), 1.05)
    ax.set_xlabel("code")
    ax.set_ylabel("coefficient")
    ax.set_title(plot_title("per-code", report), fontsize=10)
    return fig


def _lowest(rows) -> float:
    lows = [
        est.ci_low if est.ci_low is not None else est.value
        for row in rows
        for est in (row.unitized_alpha, row.char_alpha)
        if est.value is not None
    ]
    return min(lows, default=0.0)


FIGURES = {"heatmap": heatmap_figure, "per-code": per_code_figure}


def render(report: Report, name: str, fmt: str) -> bytes:
    """The plot ``name`` ("heatmap" or "per-code") as ``fmt`` ("svg" or "png") bytes."""
    if name not in FIGURES or fmt not in FORMATS:
        raise KeyError(f"no plot {name}.{fmt}")
    with rc_context(_RC):
        fig = FIGURES[name](report)
        out = io.BytesIO()
        title = plot_title(name, report)
        meta = (
            {"Title": title, "Date": None, "Creator": None}
            if fmt == "svg"
            else {"Title": title, "Software": None}
        )
        fig.savefig(out, format=fmt, metadata=meta, dpi=100 if fmt == "svg" else 150)
    return out.getvalue()
