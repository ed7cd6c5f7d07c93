"""Inter-annotator agreement for span annotation: pure Python + numpy, no Django.

Coefficients on predefined units (coders x units, ``None``/NaN missing):
:func:`krippendorff_alpha`, :func:`cohen_kappa`, :func:`scott_pi`, :func:`fleiss_kappa`,
:func:`percent_agreement`. On spans: :func:`unitized_alpha` (Krippendorff's alpha_u) and
:func:`span_f1`. From spans to units: :func:`character_presence`, :func:`token_presence`,
:func:`presence_data`, :func:`tokenize`. Confidence intervals: :func:`document_bootstrap`.
The project report: :func:`compute_report` over :class:`DocumentData`, with
:func:`methods_paragraph` (with :func:`methods_appendix` and
:func:`references_bibtex`), :func:`report_tables`, :func:`to_markdown`, :func:`to_latex`.

Every function returns a frozen result with ``value`` (None when undefined) and ``reason``.
"""

from .bootstrap import BootstrapInterval, document_bootstrap
from .coefficients import (
    LEVELS,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from .matching import MATCH_RULES, span_f1
from .report import (
    CodeAgreement,
    CoderPair,
    Counts,
    DocumentData,
    DocumentRow,
    Estimate,
    Meta,
    PairAgreement,
    Report,
    compute_report,
    methods_appendix,
    methods_paragraph,
    references_bibtex,
    report_tables,
    to_latex,
    to_markdown,
)
from .results import AlphaResult, F1Result, KappaResult, Result
from .spans import (
    TOKEN_PATTERN,
    character_presence,
    presence_data,
    token_presence,
    tokenize,
)
from .unitizing import unitized_alpha

__all__ = [
    "LEVELS",
    "MATCH_RULES",
    "TOKEN_PATTERN",
    "AlphaResult",
    "BootstrapInterval",
    "CodeAgreement",
    "CoderPair",
    "Counts",
    "DocumentData",
    "DocumentRow",
    "Estimate",
    "F1Result",
    "KappaResult",
    "Meta",
    "PairAgreement",
    "Report",
    "Result",
    "character_presence",
    "cohen_kappa",
    "compute_report",
    "document_bootstrap",
    "fleiss_kappa",
    "krippendorff_alpha",
    "methods_appendix",
    "methods_paragraph",
    "references_bibtex",
    "percent_agreement",
    "presence_data",
    "report_tables",
    "scott_pi",
    "span_f1",
    "to_latex",
    "to_markdown",
    "token_presence",
    "tokenize",
    "unitized_alpha",
]
