"""Synthetic coding data shared by the agreement and report benchmarks.

Per document and code, ``passages`` true passages; each coder finds each one with probability
0.85, with jittered boundaries, and may mark a few false passages too.
"""

import numpy as np


def make_text(rng: np.random.Generator, length: int) -> str:
    """Random words: letters, about one space in six, some commas and full stops, a rare é."""
    points = rng.integers(ord("a"), ord("z") + 1, size=length).astype(np.uint32)
    draw = rng.random(length)
    points[draw < 0.16] = ord(" ")
    points[(draw >= 0.16) & (draw < 0.18)] = ord(",")
    points[(draw >= 0.18) & (draw < 0.19)] = ord(".")
    points[draw > 0.9995] = ord("é")
    return points.tobytes().decode("utf-32-le")


def coder_passages(rng, length: int, passages: int, coders, false_rate: float = 0.0):
    """For one document and code: ``(coder, [(start, end), ...])`` for each coder in turn.

    ``false_rate``: the expected number of false passages per coder, as a share of ``passages``.
    """
    size = rng.geometric(1 / 60, size=passages).clip(3, 400)
    start = rng.integers(0, length - size)
    for coder in coders:
        found = rng.random(passages) < 0.85
        jitter = rng.integers(-8, 9, size=(passages, 2)) * (rng.random((passages, 2)) < 0.5)
        s = np.clip(start + jitter[:, 0], 0, length - 2)
        e = np.clip(start + size + jitter[:, 1], s + 1, length)
        spans = list(zip(s[found].tolist(), e[found].tolist(), strict=True))
        if false_rate:
            extra = int(rng.poisson(passages * false_rate))
            xs = rng.integers(0, length - 50, size=extra)
            xe = xs + rng.integers(5, 50, size=extra)
            spans += list(zip(xs.tolist(), xe.tolist(), strict=True))
        yield coder, spans
