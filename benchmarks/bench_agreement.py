"""Benchmark of the agreement library on a synthetic project.

1,000 documents x 5,000 characters x 3 coders x 5 codes, about 150,000 codings, built with a
seeded numpy RNG: per document and code a set of "true" passages, which each coder finds with
jittered boundaries, sometimes misses, and sometimes adds passages of their own. Prints:

- the full report without bootstrap (target <= 3 s) and with 1,000 bootstrap replicates
  (target <= 15 s), medians of a few runs;
- peak memory of the report (tracemalloc, numpy allocations included) and the process's
  maximum resident set size;
- on the same character-level presence data (one code, 3 x 5,000,000), our
  ``krippendorff_alpha`` against the ``krippendorff`` package's ``alpha`` (PyPI), side by side.

At scale, ``--docs 10000`` gives about 1.5 million codings (targets: the whole report with
1,000 replicates <= 15 s and <= 1 GiB peak; memory linear in the codings, never in D^2).

Run: ``.venv/bin/python benchmarks/bench_agreement.py [--quick] [--docs N] [--runs R]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from synthetic import coder_passages, make_text  # benchmarks/ is the script folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's annotator

from annotator.agreement import (  # noqa: E402
    DocumentData,
    compute_report,
    krippendorff_alpha,
    presence_data,
)

CODES = ["cooperation", "tension", "iran", "syria", "trade"]
CODERS = ["alice", "bob", "carol"]


def make_project(n_docs: int = 1000, length: int = 5000, passages: int = 10, seed: int = 7):
    """Documents with ~ n_docs x coders x codes x passages codings."""
    rng = np.random.default_rng(seed)
    docs = []
    for i in range(n_docs):
        spans = []
        for code in CODES:
            for coder, found in coder_passages(rng, length, passages, CODERS, false_rate=0.15):
                spans += [(coder, a, b, code) for a, b in found]
        docs.append(
            DocumentData(
                id=i,
                length=length,
                coders=tuple(CODERS),
                spans=tuple(spans),
                text=make_text(rng, length),
                title=f"Document {i}",
            )
        )
    return docs


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Median wall time (time.perf_counter), median CPU time of this process (less sensitive
    to other processes on a shared machine), and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 documents, one run each")
    parser.add_argument("--docs", type=int, default=1000, help="documents (10000: ~1.5M codings)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (medians)")
    args = parser.parse_args()
    n_docs = 100 if args.quick else args.docs
    runs = 1 if args.quick else args.runs

    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} CPUs, load average {load:.2f} at start (timings scale with it)"
    )
    t0 = time.perf_counter()
    docs = make_project(n_docs)
    n_codings = sum(len(d.spans) for d in docs)
    print(
        f"project: {n_docs:,} documents x 5,000 characters x {len(CODERS)} coders x "
        f"{len(CODES)} codes = {n_codings:,} codings (built in {time.perf_counter() - t0:.1f} s)"
    )

    t_plain, c_plain, report = timed(
        lambda: compute_report(docs, codes=CODES, coders=CODERS, bootstrap=0), runs
    )
    print(
        f"report without bootstrap:     {t_plain:6.3f} s wall, {c_plain:6.3f} s CPU "
        f"(medians of {runs}; target <= 3 s)"
    )
    t_boot, c_boot, report = timed(
        lambda: compute_report(docs, codes=CODES, coders=CODERS, bootstrap=1000, seed=12345), runs
    )
    print(
        f"report with 1,000 replicates: {t_boot:6.3f} s wall, {c_boot:6.3f} s CPU "
        f"(medians of {runs}; target <= 15 s)"
    )
    o = report.overall
    print(
        f"  overall: alpha_u {o.unitized_alpha.value:.4f} {o.unitized_alpha.ci}, "
        f"char alpha {o.char_alpha.value:.4f} {o.char_alpha.ci}, "
        f"F1 overlap {o.span_f1_overlap_mean.value:.4f}"
    )

    tracemalloc.start()
    compute_report(docs, codes=CODES, coders=CODERS, bootstrap=1000, seed=12345)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory of the report (tracemalloc): {peak / 2**20:7.1f} MiB (target <= 1 GiB)")
    print(f"process max RSS so far (project + reports): {rss:7.1f} MiB")

    # The comparison uses at most 1,000 documents (3 x 5,000,000 values): the krippendorff
    # package needs the dense array, 1.2 GB at 10,000 documents.
    data = presence_data(docs[:1000], code=CODES[0], coders=CODERS)
    print(
        f"character-level presence data for code {CODES[0]!r}: {data.shape[0]} x {data.shape[1]:,}"
    )
    t_ours, c_ours, ours = timed(lambda: krippendorff_alpha(data, level="nominal"), runs)
    try:
        import krippendorff
    except ImportError:
        print("the krippendorff package is not installed; comparison skipped")
        return 0
    t_theirs, c_theirs, theirs = timed(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"),
        1 if args.quick else 2,
    )
    print(f"krippendorff_alpha (ours):     {t_ours:6.3f} s wall, {c_ours:6.3f} s CPU")
    print(f"krippendorff.alpha 0.9 (PyPI): {t_theirs:6.3f} s wall, {c_theirs:6.3f} s CPU")
    print(
        f"speed-up: {t_theirs / t_ours:.1f}x wall, {c_theirs / c_ours:.1f}x CPU (target >= 2x); "
        f"alpha {ours.value:.10f} vs {theirs:.10f}, |difference| = {abs(ours.value - theirs):.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
