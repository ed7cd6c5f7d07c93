"""A report as prose and tables: a methods paragraph, row tables, Markdown and LaTeX."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Estimate, Meta, Report

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

# Fewer documents than this, and the percentile interval covers less than it claims.
FEW_DOCUMENTS = 30
FEW_DOCUMENTS_WARNING = (
    "Below 30 documents such intervals are too narrow (simulated coverage of the 95% "
    "interval: 0.80 at 5 documents, 0.89 at 10, 0.93 at 30)."
)

# (key, full reference, BibTeX entry): every work the paragraph or the appendix cites.
REFERENCES = (
    (
        "krippendorff1995",
        "Krippendorff, K. (1995). On the reliability of unitizing continuous data. "
        "Sociological Methodology, 25, 47-76. https://doi.org/10.2307/271061",
        "@article{krippendorff1995,\n  author = {Krippendorff, Klaus},\n"
        "  title = {On the Reliability of Unitizing Continuous Data},\n"
        "  journal = {Sociological Methodology},\n  volume = {25},\n  pages = {47--76},\n"
        "  year = {1995},\n  doi = {10.2307/271061}\n}",
    ),
    (
        "krippendorff2004",
        "Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology "
        "(2nd ed.). Thousand Oaks, CA: Sage.",
        "@book{krippendorff2004,\n  author = {Krippendorff, Klaus},\n"
        "  title = {Content Analysis: An Introduction to Its Methodology},\n"
        "  edition = {2},\n  publisher = {Sage},\n  address = {Thousand Oaks, CA},\n"
        "  year = {2004}\n}",
    ),
    (
        "krippendorff2011",
        "Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg "
        "School for Communication, University of Pennsylvania. "
        "https://repository.upenn.edu/asc_papers/43",
        "@techreport{krippendorff2011,\n  author = {Krippendorff, Klaus},\n"
        "  title = {Computing {Krippendorff}'s Alpha-Reliability},\n"
        "  institution = {Annenberg School for Communication, University of Pennsylvania},\n"
        "  year = {2011},\n  url = {https://repository.upenn.edu/asc_papers/43}\n}",
    ),
    (
        "krippendorff2016",
        "Krippendorff, K., Mathet, Y., Bouvry, S., & Widlöcher, A. (2016). On the reliability "
        "of unitizing textual continua: Further developments. Quality & Quantity, 50(6), "
        "2347-2364. https://doi.org/10.1007/s11135-015-0266-1",
        "@article{krippendorff2016,\n"
        "  author = {Krippendorff, Klaus and Mathet, Yann and Bouvry, St{\\'e}phane and "
        'Widl{\\"o}cher, Antoine},\n'
        "  title = {On the Reliability of Unitizing Textual Continua: Further Developments},\n"
        "  journal = {Quality \\& Quantity},\n  volume = {50},\n  number = {6},\n"
        "  pages = {2347--2364},\n  year = {2016},\n  doi = {10.1007/s11135-015-0266-1}\n}",
    ),
    (
        "meyer2014",
        "Meyer, C. M., Mieskes, M., Stab, C., & Gurevych, I. (2014). DKPro Agreement: An "
        "Open-Source Java Library for Measuring Inter-Rater Agreement. In Proceedings of "
        "COLING 2014: System Demonstrations (pp. 105-109). Dublin, Ireland.",
        "@inproceedings{meyer2014,\n"
        "  author = {Meyer, Christian M. and Mieskes, Margot and Stab, Christian and "
        "Gurevych, Iryna},\n"
        "  title = {{DKPro Agreement}: An Open-Source {Java} Library for Measuring "
        "Inter-Rater Agreement},\n"
        "  booktitle = {Proceedings of COLING 2014: System Demonstrations},\n"
        "  pages = {105--109},\n  address = {Dublin, Ireland},\n  year = {2014}\n}",
    ),
    (
        "cohen1960",
        "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and "
        "Psychological Measurement, 20(1), 37-46. https://doi.org/10.1177/001316446002000104",
        "@article{cohen1960,\n  author = {Cohen, Jacob},\n"
        "  title = {A Coefficient of Agreement for Nominal Scales},\n"
        "  journal = {Educational and Psychological Measurement},\n  volume = {20},\n"
        "  number = {1},\n  pages = {37--46},\n  year = {1960},\n"
        "  doi = {10.1177/001316446002000104}\n}",
    ),
    (
        "fleiss1971",
        "Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. "
        "Psychological Bulletin, 76(5), 378-382. https://doi.org/10.1037/h0031619",
        "@article{fleiss1971,\n  author = {Fleiss, Joseph L.},\n"
        "  title = {Measuring Nominal Scale Agreement among Many Raters},\n"
        "  journal = {Psychological Bulletin},\n  volume = {76},\n  number = {5},\n"
        "  pages = {378--382},\n  year = {1971},\n  doi = {10.1037/h0031619}\n}",
    ),
    (
        "efron1993",
        "Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. New York: "
        "Chapman & Hall.",
        "@book{efron1993,\n  author = {Efron, Bradley and Tibshirani, Robert J.},\n"
        "  title = {An Introduction to the Bootstrap},\n  publisher = {Chapman \\& Hall},\n"
        "  address = {New York},\n  year = {1993}\n}",
    ),
)


def references_bibtex() -> str:
    """Every reference of the paragraph and the appendix as a BibTeX file (references.bib)."""
    return "\n\n".join(entry for _, _, entry in REFERENCES) + "\n"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def defined_of(est: Estimate, replicates: int) -> str:
    """ "k of B replicates defined", the count every interval is shown with."""
    return f"{est.ci_replicates:,} of {replicates:,} replicates defined"


def _phrase(est: Estimate, m: Meta) -> str:
    if est.value is None:
        return "undefined"
    if est.ci_low is None:
        return _fmt(est.value, 2)
    return (
        f"{_fmt(est.value, 2)} [{_fmt(est.ci_low, 2)}, {_fmt(est.ci_high, 2)}; "
        f"{est.ci_replicates:,} of {m.replicates:,} defined]"
    )


def _brief(sentence: str, limit: int = 30) -> str:
    """A narrowing sentence for the paragraph: a long list becomes its length (the appendix
    and the metadata keep the whole list)."""
    sentence = sentence.split(" (")[0].removesuffix(".") + "."  # drop the explanation
    head, sep, rest = sentence.partition(": ")
    if len(sentence.split()) <= limit or not sep:
        return sentence
    return f"{head}: {len(rest.split(','))} selected (listed in the appendix)."


def _per_code(report: Report, attr: str) -> str:
    """ ", per code 0.31 (Iran) to 0.78 (trade)": minimum and maximum over the codes."""
    if len(report.per_code) < 2:
        return ""
    values = [(getattr(r, attr).value, r.code) for r in report.per_code]
    defined = sorted((v, c) for v, c in values if v is not None)
    if not defined:
        return ", undefined for every code"
    (lo, lo_code), (hi, hi_code) = defined[0], defined[-1]
    missing = len(values) - len(defined)
    tail = f"; undefined for {missing}" if missing else ""
    return f", per code {lo:.2f} ({lo_code}) to {hi:.2f} ({hi_code}){tail}"


def _design(report: Report) -> str:
    design = [(c, n) for c, n in report.meta.coding_design if n]
    if not design:
        return "no coder counted for a used document"
    if len(design) <= 6:
        return ", ".join(f"{c} {n}" for c, n in design) + " documents"
    counts = sorted(n for _, n in design)
    return f"{counts[0]} to {counts[-1]} documents each"


def methods_paragraph(report: Report) -> str:
    """A paste-ready methods paragraph of at most about 200 words: counts and the coding
    design (coders treated as fixed), every narrowing, the unitized alpha_u named exactly
    (variant), nominal alpha and Cohen's kappa pooled, with per-code minimum and maximum, intervals with "k of B replicates defined", a warning below 30
    documents, merged units, and the software version. Definitions, every other coefficient
    and the full references are in :func:`methods_appendix`."""
    c, m, o = report.counts, report.meta, report.overall
    sentences = [
        f"Inter-coder agreement was computed on {c.documents_used} of {c.documents_available} "
        f"documents and {c.codes} codes, coded by "
        f"{c.coders_used} coders treated as fixed ({_design(report)}).",
    ]
    sentences += [_brief(n) for n in m.narrowing]
    sentences += [
        f"Unitizing: Krippendorff's alpha_u (1995, 2004) as in DKPro Statistics "
        f"(Meyer et al. 2014; other codes invisible to each code, pooled over documents; not "
        f"the 2016 u-alpha family, Krippendorff et al. 2016): {_phrase(o.unitized_alpha, m)}"
        f"{_per_code(report, 'unitized_alpha')}.",
        f"Nominal alpha on characters (Krippendorff 2011): {_phrase(o.char_alpha, m)}"
        f"{_per_code(report, 'char_alpha')}; mean pairwise Cohen's kappa (Cohen 1960): "
        f"{_phrase(o.cohen_kappa_mean, m)}.",
        "Values pool the codes; a coder's unfinished documents are missing, not zero.",
    ]
    if m.unitized_notes:
        merged = report.meta.unitized_notes[0].split(" overlapping")[0]
        sentences.append(f"alpha_u merged {merged} overlapping same-code segments of a coder.")
    if m.replicates:
        sentences.append(
            f"Brackets: {m.confidence:.0%} {m.interval} bootstrap interval over documents "
            f"(Efron & Tibshirani 1993; {m.replicates:,} replicates, seed {m.seed}), with the "
            "replicates defined."
        )
        if c.documents_used < FEW_DOCUMENTS:
            sentences.append(FEW_DOCUMENTS_WARNING)
    else:
        sentences.append("No confidence intervals were computed.")
    sentences.append(f"Definitions: appendix. Software: {m.software}.")
    return " ".join(sentences)


def _long_phrase(est: Estimate, m: Meta) -> str:
    if est.value is None:
        return f"undefined ({est.reason})"
    if est.ci_low is None:
        return _fmt(est.value)
    bca = "" if est.bca_low is None else f", BCa [{_fmt(est.bca_low)}, {_fmt(est.bca_high)}]"
    return (
        f"{_fmt(est.value)}, {m.confidence:.0%} CI [{_fmt(est.ci_low)}, {_fmt(est.ci_high)}]"
        f"{bca} ({defined_of(est, m.replicates)})"
    )


def methods_appendix(report: Report) -> str:
    """The long "definitions" appendix of the methods paragraph: units, the alpha_u variant
    and its unit rule, matching rule, pooling, missing-data policy, narrowing, every
    coefficient pooled over codes (with its interval and defined replicates, or why it is
    undefined), the bootstrap, and the full references."""
    c, m, o = report.counts, report.meta, report.overall
    tokens = f"; {c.tokens_used:,} of {c.tokens_available or 0:,} tokens" if c.tokens_used else ""
    lines = [
        "Definitions",
        "",
        f"Data: {c.documents_used} of {c.documents_available} documents, {c.characters_used:,} "
        f"of {c.characters_available:,} characters{tokens}; {c.coders_used} of "
        f"{c.coders_available} coders; {c.codes} codes ({', '.join(report.codes)}). Coding "
        f"design (documents used per coder): {_design(report)}. Coders are treated as fixed: "
        "the intervals resample documents only, so they do not generalise to other coders.",
        "Narrowing: "
        + (
            " ".join(m.narrowing)
            if m.narrowing
            else "none (all documents, coders and codes; no date range; no gold standard)."
        ),
        f"alpha_u: {m.unitized_variant}. {m.units['continuum']}",
        *(f"Note: {note}." for note in m.unitized_notes),
        m.units["character"],
        m.units["token"],
        m.units["span"],
        m.matching_rule,
        m.pooling,
        m.missing_data_policy,
        "",
        "Values over all codes:",
    ]
    for attr, label, unit in COEFFICIENTS:
        lines.append(f"- {label} ({unit}): {_long_phrase(getattr(o, attr), m)}")
    lines.append("")
    if m.replicates:
        lines.append(
            f"Intervals: {m.confidence:.0%} {m.interval} bootstrap over documents "
            f"({m.replicates:,} replicates, documents resampled with replacement, seed "
            f"{m.seed}); replicates in which a coefficient is undefined are left out and the "
            "number of defined replicates is given with every interval. Beside them, BCa "
            "intervals (bias-corrected and accelerated; Efron & Tibshirani 1993, ch. 14) from "
            "the same replicates, with the acceleration from a jackknife over documents."
        )
        if c.documents_used < FEW_DOCUMENTS:
            lines.append(FEW_DOCUMENTS_WARNING)
    else:
        lines.append("No confidence intervals were computed.")
    lines += [f"Software: {m.software}.", "", "References", ""]
    lines += [text for _, text, _ in REFERENCES]
    return "\n".join(lines) + "\n"


def _estimate_columns(prefix: str, est: Estimate) -> dict[str, Any]:
    return {
        prefix: est.value,
        f"{prefix}_ci_low": est.ci_low,
        f"{prefix}_ci_high": est.ci_high,
        f"{prefix}_replicates_defined": est.ci_replicates if est.ci_low is not None else None,
        f"{prefix}_bca_low": est.bca_low,
        f"{prefix}_bca_high": est.bca_high,
    }


def report_tables(report: Report) -> dict[str, list[dict[str, Any]]]:
    """Tables of plain rows (dicts) for CSV, Markdown or LaTeX export.

    ``coefficients`` (one row per code and coefficient, plus "all codes"), ``coder_pairs``,
    ``coder_matrix_kappa`` and ``coder_matrix_f1_overlap`` (coder x coder), ``documents``,
    ``counts``, ``metadata`` (the alpha_u variant, narrowing, intervals, coding design,
    software). Undefined values are None with the reason in ``note``; every interval comes
    with ``replicates_defined`` of ``replicates``.
    """
    tables: dict[str, list[dict[str, Any]]] = {"coefficients": [], "coder_pairs": []}
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
                    "replicates_defined": est.ci_replicates if est.ci_low is not None else None,
                    "replicates": report.meta.replicates,
                    "bca_low": est.bca_low,
                    "bca_high": est.bca_high,
                    "note": est.reason or "",
                }
            )
        for pair in row.pairs:
            entry: dict[str, Any] = {"code": code, "coder_a": pair.coder_a, "coder_b": pair.coder_b}
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
        cells: dict[tuple[str, str], float | None] = {}
        for coder_pair in report.coder_matrix:
            value = getattr(coder_pair, attr).value
            a, b = coder_pair.coder_a, coder_pair.coder_b
            cells[a, b] = cells[b, a] = value
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
    tables["metadata"] = _metadata_rows(report)
    return tables


def report_notes(report: Report) -> list[str]:
    """The sentences every download states beside its numbers: the alpha_u variant (and its
    merge note), the narrowing, the intervals and the software."""
    m = report.meta
    notes = [f"alpha_u: {m.unitized_variant}.", *(f"alpha_u: {n}." for n in m.unitized_notes)]
    notes.append("Narrowing: " + (" ".join(m.narrowing) if m.narrowing else "none."))
    if m.replicates:
        notes.append(
            f"Intervals: {m.confidence:.0%} {m.interval} bootstrap over documents, "
            f"{m.replicates:,} replicates, seed {m.seed}; every interval gives the number of "
            "replicates in which the coefficient was defined; BCa intervals (jackknife "
            "acceleration over documents) beside them. Coders are treated as fixed."
        )
        if report.counts.documents_used < FEW_DOCUMENTS:
            notes.append(FEW_DOCUMENTS_WARNING)
    else:
        notes.append("Intervals: none (no bootstrap).")
    notes.append(f"Software: {m.software}.")
    return notes


def _metadata_rows(report: Report) -> list[dict[str, Any]]:
    m = report.meta
    rows: list[dict[str, Any]] = [
        {"item": "alpha_u variant", "value": m.unitized_variant},
        *({"item": "alpha_u note", "value": note} for note in m.unitized_notes),
        *({"item": "narrowing", "value": n} for n in m.narrowing),
        {"item": "narrowed", "value": "yes" if m.narrowing else "no"},
        {"item": "interval", "value": m.interval if m.replicates else "none"},
        {"item": "confidence", "value": m.confidence},
        {"item": "replicates", "value": m.replicates},
        {"item": "seed", "value": m.seed},
        {"item": "coders treated as", "value": "fixed (documents are resampled)"},
        *({"item": f"documents used by {c}", "value": n} for c, n in m.coding_design),
        {"item": "software", "value": m.software},
    ]
    if m.replicates and report.counts.documents_used < FEW_DOCUMENTS:
        rows.append({"item": "warning", "value": FEW_DOCUMENTS_WARNING})
    return rows


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def to_markdown(rows: list[dict[str, Any]], digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table of row dicts (columns: every key, in order of first
    appearance); None is an empty cell, floats get ``digits`` decimals, ``|`` is escaped.
    No rows give an empty string."""
    cols = _columns(rows)
    if not cols:
        return ""

    def line(cells: list[str]) -> str:
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


def to_latex(rows: list[dict[str, Any]], digits: int = 3) -> str:
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
