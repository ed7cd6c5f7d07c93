"""The project report from the database: selector -> ``compute_report``, cached on a fingerprint.

The cache (Django's default cache) is keyed on :func:`agreement_fingerprint` — count and latest
change of the relevant codings, statuses, documents and memberships — together with the
narrowing, replicates and seed. A new, edited or deleted coding changes the key, so the report
is never stale; an unchanged project serves the page, its downloads and its plots from one
computation instead of one per request.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from django.core.cache import cache

from ..agreement import Report, compute_report
from ..selectors.agreement import AgreementNarrowing, agreement_data, agreement_fingerprint

DEFAULT_BOOTSTRAP = 1000
DEFAULT_SEED = 12345
MAX_BOOTSTRAP = 10_000
CACHE_SECONDS = 60 * 60


CHECKOUT = Path(__file__).resolve().parents[2]  # the repository root when run from a checkout


def git_commit(root: Path = CHECKOUT) -> str | None:
    """The checkout's commit (12 hex digits, "+dirty" with uncommitted changes), or None when
    ``root`` has no ``.git`` or git cannot tell."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(  # noqa: S603 (fixed arguments, no user input)
            [git, "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603
            [git, "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+dirty" if dirty else commit or None


@functools.cache
def software_version() -> str:
    """ "Annotator <version>, commit <sha> (annotator.agreement)": the package version, and the
    git commit when running from a checkout (read once per process, then cached)."""
    try:
        version = f"Annotator {metadata.version('annotator')}"
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        version = "Annotator"
    commit = git_commit()
    if commit:
        version += f", commit {commit}"
    return f"{version} (annotator.agreement)"


@dataclass(frozen=True)
class ProjectReport:
    """A computed report with the ids its names map back to (for links and colours)."""

    report: Report
    code_ids: dict[str, int]
    coder_ids: dict[str, int]


def _key(project, narrowing: AgreementNarrowing, bootstrap: int, seed: int | None) -> str:
    fingerprint = agreement_fingerprint(project=project, narrowing=narrowing)
    raw = repr((fingerprint, bootstrap, seed, software_version())).encode()
    return "agreement-report:" + hashlib.sha256(raw).hexdigest()


def project_report(
    project,
    narrowing: AgreementNarrowing | None = None,
    *,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int | None = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    use_cache: bool = True,
) -> ProjectReport:
    """Compute (or fetch from the cache) the report of ``project`` narrowed by ``narrowing``.

    Raises ``ValueError`` from ``compute_report`` on input it refuses (for example no code left
    after narrowing); callers turn it into an inline message or a ``CommandError``.
    """
    narrowing = narrowing or AgreementNarrowing()
    key = _key(project, narrowing, bootstrap, seed) if use_cache else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    data = agreement_data(project=project, narrowing=narrowing)
    if not data.codes:
        raise ValueError("no code is left after narrowing: choose at least one code")
    report = compute_report(
        data.documents,
        codes=data.codes,
        coders=data.coders,
        bootstrap=bootstrap,
        seed=seed,
        progress=progress,
        software=software_version(),
        narrowing=data.narrowing,
    )
    result = ProjectReport(report, data.code_ids, data.coder_ids)
    if key is not None:
        cache.set(key, result, CACHE_SECONDS)
    return result
