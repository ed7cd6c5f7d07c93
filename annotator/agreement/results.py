"""Result objects shared by every agreement function.

Every coefficient returns a frozen dataclass with ``value`` (a float, or ``None`` when the
coefficient is undefined) and ``reason`` (``None`` when defined, otherwise one plain sentence
saying why it is undefined). Nothing in this package reports an undefined coefficient as 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """A coefficient value, or ``None`` with the reason it is undefined."""

    value: float | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a result has either a value or a reason, exactly one of them")

    @property
    def defined(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class AlphaResult(Result):
    """Krippendorff's alpha (or alpha_u) with its observed and expected disagreement.

    ``variant`` names the exact coefficient computed (set by :func:`unitized_alpha`, None for
    plain alpha); ``notes`` are plain sentences about how the input was read (for alpha_u: how
    many overlapping units of one coder were merged), empty when there is nothing to say.
    """

    d_o: float | None = None
    d_e: float | None = None
    variant: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KappaResult(Result):
    """A kappa-type coefficient with its observed (p_o) and chance (p_e) agreement."""

    p_o: float | None = None
    p_e: float | None = None


@dataclass(frozen=True)
class F1Result(Result):
    """Span F1 with the counts it was computed from."""

    true_positives: int = 0
    n_a: int = 0
    n_b: int = 0
