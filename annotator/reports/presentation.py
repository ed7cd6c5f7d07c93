"""A report as the rows the HTML page shows: formatted values, intervals and undefined reasons.

Numbers are shown with three decimals, the same rounding as the Markdown and LaTeX tables, so
a value on the page can be compared with the exports by its text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html

from ..agreement import Estimate, Report
from ..agreement.report_text import COEFFICIENTS

DIGITS = 3


@dataclass(frozen=True)
class Cell:
    value: str  # "0.666" or "undefined"
    ci: str  # "[0.453, 0.819]" or ""
    reason: str  # why undefined, or ""
    defined_replicates: int
    replicates: int = 0  # B: the interval reads "k of B replicates defined"
    bca: str = ""  # "[0.440, 0.810]" or "": the BCa interval beside the percentile one

    @property
    def undefined(self) -> bool:
        return self.value == "undefined"

    @property
    def html(self) -> str:
        """The cell's markup; built here, not with ``{% include %}``: a report of a thousand
        documents has thousands of cells, and an include per cell costs a second."""
        if self.undefined:
            return format_html(
                '<details class="undefined"><summary>undefined</summary>'
                '<span class="reason">{}</span></details>',
                self.reason,
            )
        if self.ci:
            return format_html(
                '<span class="value">{}</span> <span class="ci">{}</span> '
                '<span class="bca" title="bias-corrected and accelerated interval">BCa {}</span> '
                '<span class="defined" title="bootstrap replicates in which the coefficient '
                'was defined">{} of {} replicates defined</span>',
                self.value,
                self.ci,
                self.bca or "undefined",
                f"{self.defined_replicates:,}",
                f"{self.replicates:,}",
            )
        return format_html('<span class="value">{}</span>', self.value)


def fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.{DIGITS}f}"


def cell(est: Estimate, replicates: int = 0) -> Cell:
    if est.value is None:
        return Cell("undefined", "", est.reason or "undefined", 0, replicates)
    ci = "" if est.ci_low is None else f"[{fmt(est.ci_low)}, {fmt(est.ci_high)}]"
    bca = "" if est.bca_low is None else f"[{fmt(est.bca_low)}, {fmt(est.bca_high)}]"
    return Cell(fmt(est.value), ci, "", est.ci_replicates, replicates, bca)


def coefficient_columns() -> list[dict]:
    """The per-code table's columns: attribute, label and unit."""
    return [{"attr": a, "label": label, "unit": unit} for a, label, unit in COEFFICIENTS]


def per_code_rows(report: Report) -> list[dict]:
    rows, B = [], report.meta.replicates
    for row in (*report.per_code, report.overall):
        rows.append(
            {
                "code": row.code,
                "label": row.code if row.code is not None else "All codes (pooled)",
                "cells": [cell(getattr(row, a), B) for a, _, _ in COEFFICIENTS],
            }
        )
    return rows


def pair_rows(report: Report) -> list[dict]:
    rows, B = [], report.meta.replicates
    for row in (*report.per_code, report.overall):
        for pair in row.pairs:
            rows.append(
                {
                    "code": row.code if row.code is not None else "All codes (pooled)",
                    "coder_a": pair.coder_a,
                    "coder_b": pair.coder_b,
                    "kappa": cell(pair.cohen_kappa, B),
                    "f1_exact": cell(pair.span_f1_exact, B),
                    "f1_overlap": cell(pair.span_f1_overlap, B),
                }
            )
    return rows


def matrix_rows(report: Report) -> list[dict]:
    """Coder x coder: Cohen's kappa (characters, all codes), overlap F1, documents shared."""
    by_pair, B = {}, report.meta.replicates
    for coder_pair in report.coder_matrix:
        a, b = coder_pair.coder_a, coder_pair.coder_b
        by_pair[a, b] = by_pair[b, a] = coder_pair
    rows = []
    for a in report.coders:
        cells: list[dict[str, object] | None] = []
        for b in report.coders:
            pair = by_pair.get((a, b))
            if pair is None:
                cells.append(None)
            else:
                cells.append(
                    {
                        "kappa": cell(pair.cohen_kappa, B),
                        "f1": cell(pair.span_f1_overlap, B),
                        "shared": pair.documents_shared,
                    }
                )
        rows.append({"coder": a, "cells": cells})
    return rows


def document_rows(report: Report) -> list[dict]:
    return [
        {
            "id": doc.id,
            "title": doc.title,
            "coders": doc.coders,
            "alpha_u": cell(doc.unitized_alpha),
            "char_alpha": cell(doc.char_alpha),
            "spans": doc.spans,
        }
        for doc in report.documents
    ]
