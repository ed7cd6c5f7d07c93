"""Mathet, Widlöcher & Métivier's gamma (2015) through ``pygamma-agreement``, an optional extra.

Install with ``pip install 'annotator[gamma]'``; without it :func:`available` is False and
:func:`gamma_agreement` says so instead of a value. It lives in the report layer, not in
``annotator.agreement`` (numpy and the standard library only).

The continuum: the documents used, in order, concatenated (document d's offsets shifted by the
lengths before it), one unit per coding (coder, [start, end), code): unlike alpha_u, gamma
aligns units of *all* codes at once and weighs categories and split or merged units. Gamma
assumes every coder annotated the whole continuum, so a document only some coders count for
makes it undefined (as Fleiss' kappa), and documents with fewer than two counted coders are left
out. Dissimilarity: ``CombinedCategoricalDissimilarity(alpha=3, beta=1, delta_empty=1)``
(positional weight 3, categorical weight 1: the settings of the package's own published
examples); the expected disorder is estimated from ``sampler`` continua (the package's
``"statistical"`` sampler, or ``"shuffle"``) until ``precision_level``, with numpy's global
seed set to ``seed`` first. Slow (a mixed-integer alignment per sampled continuum): offered by
``manage.py agreement --gamma`` and, only on request, by the report page's "Compute γ"
fragment and its ZIP (``?gamma=1``); never computed with the report itself.
"""

from __future__ import annotations

import importlib.util
import logging

from ..agreement import Result

GAMMA_SETTINGS = "CombinedCategoricalDissimilarity(alpha=3, beta=1, delta_empty=1)"
REFERENCE = (
    "Mathet, Y., Widlöcher, A., & Métivier, J.-P. (2015). The unified and holistic method "
    "gamma for inter-annotator agreement measure and alignment. Computational Linguistics, "
    "41(3), 437-479. https://doi.org/10.1162/COLI_a_00227"
)


def available() -> bool:
    return importlib.util.find_spec("pygamma_agreement") is not None


def gamma_agreement(
    documents,
    *,
    codes,
    coders,
    seed: int = 4772,
    precision_level: float = 0.05,
    sampler: str = "statistical",
) -> Result:
    """Gamma over the documents used (see the module docstring), or None with the reason."""
    if not available():
        return Result(None, "gamma needs the optional extra: pip install 'annotator[gamma]'")
    codes, coders = set(codes), list(coders)
    used = [d for d in documents if d.length > 0 and len(set(d.coders) & set(coders)) >= 2]
    if not used:
        return Result(None, "no document has two or more counted coders")
    for doc in used:
        if not set(coders) <= set(doc.coders):
            absent = next(c for c in coders if c not in doc.coders)
            return Result(
                None,
                f"gamma needs every coder on every document, but coder {absent!r} does not "
                f"count for document {doc.id}",
            )
    import numpy as np
    import pygamma_agreement as pa
    from pyannote.core import Segment

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # solver notes
    continuum, offset, units = pa.Continuum(), 0, 0
    for coder in coders:
        continuum.add_annotator(coder)
    for doc in used:
        for coder, start, end, code in doc.spans:
            if coder in coders and code in codes and end > start:
                continuum.add(coder, Segment(offset + start, offset + end), code)
                units += 1
        offset += doc.length
    if units == 0:
        return Result(None, "no coder marked any unit")
    dissimilarity = pa.CombinedCategoricalDissimilarity(alpha=3, beta=1, delta_empty=1)
    chosen = pa.ShuffleContinuumSampler() if sampler == "shuffle" else None
    np.random.seed(seed)  # the package samples with numpy's global generator
    try:
        result = continuum.compute_gamma(
            dissimilarity, precision_level=precision_level, sampler=chosen
        )
    except Exception as exc:  # noqa: BLE001 (the package's own errors, e.g. one coder left)
        return Result(None, f"pygamma-agreement could not compute gamma: {exc}")
    value = float(result.gamma)
    if not np.isfinite(value):
        return Result(None, "gamma is undefined (expected disorder 0)")
    return Result(value)


def project_gamma(project, narrowing, *, seed: int = 4772) -> dict:
    """Gamma of the documents, coders and codes a report narrowing selects, as a JSON-ready dict.

    One code path for ``manage.py agreement --gamma``, the report page's γ fragment and the
    ZIP's ``gamma.json``: the value (None when undefined), its reason, settings and reference.
    """
    from ..selectors.agreement import agreement_data

    data = agreement_data(project=project, narrowing=narrowing)
    result = gamma_agreement(data.documents, codes=data.codes, coders=data.coders, seed=seed)
    return {
        "value": result.value,
        "reason": result.reason,
        "settings": GAMMA_SETTINGS,
        "reference": REFERENCE,
    }
