"""A report as prose and tables: a methods paragraph, row tables, Markdown and LaTeX."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Estimate, Report

COEFFICIENTS = (  # (attribute, label, unit)
    ("unitized_alpha", "Krippendorff's alpha_u", "continuum"),
    ("char_alpha", "Krippendorff's alpha (nominal)", "character"),
    ("token_alpha", "Krippendorff's alpha (nominal)", "token"),
    ("cohen_kappa_mean", "Cohen's kappa, mean over coder pairs", "character"),
    ("fleiss_kappa", "Fleiss' kappa", "character"),
    ("span_f1_exact_mean", "Span F1 exact, macro mean over coder pairs", "span"),
    ("span_f1_overlap_mean", "Span F1 overlap, macro mean over coder pairs", "span"),
    ("percent_agreement", "Percent agreement", "character"),
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def _phrase(est: Estimate, confidence: float) -> str:
    if est.value is None:
        return f"undefined ({est.reason})"
    if est.ci_low is None:
        return _fmt(est.value)
    return f"{_fmt(est.value)}, {confidence:.0%} CI [{_fmt(est.ci_low)}, {_fmt(est.ci_high)}]"


def methods_paragraph(report: Report) -> str:
    """A paste-ready methods paragraph: coefficients with their sources and values (over all
    codes, with intervals), units, matching rule, missing-data policy, counts, bootstrap
    replicates and seed, and the software version. An undefined coefficient reads
    "undefined (reason)"; without bootstrap the paragraph says no intervals were computed."""
    c, m, o = report.counts, report.meta, report.overall
    conf = m.confidence
    tokens = f"; {c.tokens_used:,} tokens" if c.tokens_used is not None else ""
    sentences = [
        f"Inter-coder agreement was computed on {c.documents_used} of {c.documents_available} "
        f"documents ({c.characters_used:,} of {c.characters_available:,} characters{tokens}), "
        f"coded by {c.coders_used} of {c.coders_available} coders with {c.codes} codes "
        f"({', '.join(report.codes)}).",
        "Each code was analysed as its own binary variable.",
        m.units["character"],
        m.units["token"],
        m.units["span"],
        f"We report Krippendorff's unitized alpha (alpha_u; Krippendorff 1995, 2004), which "
        f"also weighs the boundaries of the coded segments, {_phrase(o.unitized_alpha, conf)}; "
        f"Krippendorff's nominal alpha (Krippendorff 2004, 2011) "
        f"for characters, {_phrase(o.char_alpha, conf)}, and for tokens, "
        f"{_phrase(o.token_alpha, conf)}; Cohen's kappa (Cohen 1960) for each pair of coders on "
        f"characters, mean over pairs {_phrase(o.cohen_kappa_mean, conf)}; Fleiss' kappa "
        f"(Fleiss 1971) on characters, {_phrase(o.fleiss_kappa, conf)}; span F1 with exact "
        f"matching, {_phrase(o.span_f1_exact_mean, conf)}, and with overlap matching, "
        f"{_phrase(o.span_f1_overlap_mean, conf)}; and percent agreement on characters, "
        f"{_phrase(o.percent_agreement, conf)}.",
        m.units["continuum"],
        m.pooling,
        m.matching_rule,
        m.missing_data_policy,
    ]
    if m.replicates:
        sentences.append(
            f"Confidence intervals are {conf:.0%} percentile bootstrap intervals over documents "
            f"({m.replicates:,} replicates, documents resampled with replacement, seed "
            f"{m.seed}); replicates in which a coefficient is undefined are left out."
        )
    else:
        sentences.append("No confidence intervals were computed.")
    sentences.append(f"Software: {m.software}.")
    return " ".join(sentences)


def _estimate_columns(prefix: str, est: Estimate) -> dict:
    return {prefix: est.value, f"{prefix}_ci_low": est.ci_low, f"{prefix}_ci_high": est.ci_high}


def report_tables(report: Report) -> dict[str, list[dict]]:
    """Tables of plain rows (dicts) for CSV, Markdown or LaTeX export.

    ``coefficients`` (one row per code and coefficient, plus "all codes"), ``coder_pairs``,
    ``coder_matrix_kappa`` and ``coder_matrix_f1_overlap`` (coder x coder), ``documents``,
    ``counts``. Undefined values are None with the reason in ``note``.
    """
    tables: dict[str, list[dict]] = {"coefficients": [], "coder_pairs": []}
    for row in (*report.per_code, report.overall):
        code = row.code if row.code is not None else "all codes (pooled)"
        for attr, label, unit in COEFFICIENTS:
            est = getattr(row, attr)
            tables["coefficients"].append(
                {
                    "code": code,
                    "coefficient": label,
                    "unit": unit,
                    "value": est.value,
                    "ci_low": est.ci_low,
                    "ci_high": est.ci_high,
                    "note": est.reason or "",
                }
            )
        for pair in row.pairs:
            entry = {"code": code, "coder_a": pair.coder_a, "coder_b": pair.coder_b}
            entry |= _estimate_columns("cohen_kappa", pair.cohen_kappa)
            entry |= _estimate_columns("span_f1_exact", pair.span_f1_exact)
            entry |= _estimate_columns("span_f1_overlap", pair.span_f1_overlap)
            notes = [
                e.reason
                for e in (pair.cohen_kappa, pair.span_f1_exact, pair.span_f1_overlap)
                if e.reason
            ]
            entry["note"] = "; ".join(notes)
            tables["coder_pairs"].append(entry)
    for attr in ("cohen_kappa", "span_f1_overlap"):
        cells = {}
        for pair in report.coder_matrix:
            value = getattr(pair, attr).value
            cells[pair.coder_a, pair.coder_b] = cells[pair.coder_b, pair.coder_a] = value
        tables[f"coder_matrix_{attr.removeprefix('cohen_').removeprefix('span_')}"] = [
            {"coder": a} | {b: cells.get((a, b)) for b in report.coders} for a in report.coders
        ]
    tables["documents"] = []
    for doc in report.documents:
        entry = {
            "id": doc.id,
            "title": doc.title,
            "coders": ", ".join(doc.coders),
            "alpha_u": doc.unitized_alpha.value,
            "char_alpha": doc.char_alpha.value,
        }
        entry |= {f"spans {coder}": n for coder, n in doc.spans}
        entry["note"] = doc.unitized_alpha.reason or doc.char_alpha.reason or ""
        tables["documents"].append(entry)
    c = report.counts
    tables["counts"] = [
        {"quantity": "documents", "used": c.documents_used, "available": c.documents_available},
        {"quantity": "coders", "used": c.coders_used, "available": c.coders_available},
        {"quantity": "characters", "used": c.characters_used, "available": c.characters_available},
        {"quantity": "tokens", "used": c.tokens_used, "available": c.tokens_available},
        {"quantity": "codes", "used": c.codes, "available": c.codes},
    ]
    return tables


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _cell(value, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def to_markdown(rows: list[dict], digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table of row dicts (columns: every key, in order of first
    appearance); None is an empty cell, floats get ``digits`` decimals, ``|`` is escaped.
    No rows give an empty string."""
    cols = _columns(rows)
    if not cols:
        return ""

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    out = [line(cols), "|" + "|".join("---" for _ in cols) + "|"]
    out += [line([_cell(row.get(c), digits) for c in cols]) for row in rows]
    return "\n".join(out) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(rows: list[dict], digits: int = 3) -> str:
    """A booktabs ``tabular`` of row dicts (needs ``\\usepackage{booktabs}``): numeric
    columns right-aligned, LaTeX special characters escaped, None an empty cell, floats with
    ``digits`` decimals. No rows give an empty string."""
    cols = _columns(rows)
    if not cols:
        return ""
    numeric = [all(isinstance(r.get(c), int | float | type(None)) for r in rows) for c in cols]
    spec = "".join("r" if n else "l" for n in numeric)
    out = [
        f"\\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(_latex_escape(c) for c in cols) + r" \\",
        r"\midrule",
    ]
    for row in rows:
        out.append(" & ".join(_latex_escape(_cell(row.get(c), digits)) for c in cols) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(out) + "\n"
