"""The plots of a report by name and format, without importing matplotlib (``plots.py`` does:
the page, the downloads list and ``agreement --format json`` need only the names)."""

from __future__ import annotations

PLOTS = {
    "heatmap": "Coder × coder agreement (Cohen's kappa, characters, all codes pooled)",
    "per-code": "Agreement per code with 95% bootstrap intervals",
}
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


def plot_title(name: str, report) -> str:
    if name == "per-code":
        return f"Agreement per code with {report.meta.confidence:.0%} bootstrap intervals"
    return PLOTS[name]
