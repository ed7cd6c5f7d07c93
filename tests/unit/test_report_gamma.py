"""Gamma (Mathet et al. 2015) through pygamma-agreement, validated on the package's own
published example (tests/test_gammas.py of bootphon/pygamma-agreement, AlexPaulSuzan.csv)."""

from __future__ import annotations

from annotator.agreement import DocumentData
from annotator.reports import gamma

# Annotator, category, start, end: the package's tests/data/AlexPaulSuzan.csv (touching units
# of one coder, such as Suzan's 32-36, 36-40 and 40-44, stay three units).
ALEX_PAUL_SUZAN = [
    ("Alex", "1", 2, 9), ("Alex", "2", 11, 17), ("Alex", "5", 24, 30), ("Alex", "6", 32, 36),
    ("Alex", "6", 36, 44), ("Alex", "7", 44, 60), ("Paul", "1", 2, 9), ("Paul", "3", 11, 17),
    ("Paul", "5", 19, 25), ("Paul", "6", 32, 44), ("Suzan", "1", 2, 9), ("Suzan", "4", 11, 17),
    ("Suzan", "5", 21, 27), ("Suzan", "6", 32, 36), ("Suzan", "6", 36, 40),
    ("Suzan", "6", 40, 44),
]  # fmt: skip
CODERS = ["Alex", "Paul", "Suzan"]
CODES = [str(c) for c in range(1, 8)]


def document(doc_id=1, coders=tuple(CODERS)):
    spans = tuple((who, s, e, cat) for who, cat, s, e in ALEX_PAUL_SUZAN)
    return DocumentData(doc_id, 60, coders, spans)


def test_it_reproduces_the_packages_published_example():
    """The package's test: shuffle sampler, seed 4772, precision 0.05, CombinedCategorical
    dissimilarity (alpha 3, beta 1, delta_empty 1): 0.44 <= gamma <= 0.47."""
    assert gamma.available()
    result = gamma.gamma_agreement(
        [document()], codes=CODES, coders=CODERS, seed=4772, sampler="shuffle"
    )
    assert 0.44 <= result.value <= 0.47


def test_it_is_undefined_when_a_coder_does_not_count_for_a_document():
    docs = [document(1), document(2, ("Alex", "Paul"))]
    result = gamma.gamma_agreement(docs, codes=CODES, coders=CODERS)
    assert result.value is None and "'Suzan' does not count for document 2" in result.reason
    none = gamma.gamma_agreement([document(1, ("Alex",))], codes=CODES, coders=CODERS)
    assert none.reason == "no document has two or more counted coders"
