"""Reads about codebook versions for the workspace, the agreement report and the exports."""

from dataclasses import dataclass

from django.db.models import Count

from ..exports.rows import CodeRow
from ..models import CodebookChange, CodebookSeen, CodebookVersion
from ..services.codebooks import latest_version, snapshot_diff


@dataclass(frozen=True)
class VersionsSpanned:
    """The codebook versions a set of codings was made under."""

    numbers: tuple[int, ...]
    counts: dict[int, int]
    unversioned: int  # codings made before versions existed or imported from another tool

    @property
    def label(self) -> str:
        """E.g. "codebook version 2", "codebook versions 1, 3-5", "+ 4 codings without"."""
        if not self.numbers:
            text = "no codebook version"
        else:
            ranges: list[list[int]] = []
            for number in self.numbers:
                if ranges and number == ranges[-1][1] + 1:
                    ranges[-1][1] = number
                else:
                    ranges.append([number, number])
            parts = [str(a) if a == b else f"{a}–{b}" for a, b in ranges]
            word = "version" if len(self.numbers) == 1 else "versions"
            text = f"codebook {word} {', '.join(parts)}"
        if self.unversioned:
            text += f" (and {self.unversioned} coding(s) made without a version)"
        return text


def codebook_versions_spanned(project, annotations_qs) -> VersionsSpanned:
    """Which published versions the codings of ``annotations_qs`` were made under (one query).
    ``project`` scopes the count to its codings."""
    rows = (
        annotations_qs.filter(document__project=project)
        .order_by()
        .values_list("codebook_version__number")
        .annotate(n=Count("id"))
    )
    counts = dict(rows)
    unversioned = counts.pop(None, 0)
    return VersionsSpanned(tuple(sorted(counts)), counts, unversioned)


def annotations_of_version(annotations_qs, number: int):
    """Narrow codings to those made under version ``number`` (report and export filter)."""
    return annotations_qs.filter(codebook_version__number=number)


def version_code_rows(project, number: int) -> tuple[CodeRow, ...] | None:
    """The codes of version ``number`` of the project's codebook as the exports' ``CodeRow``s
    (parents before children), for a ``.qdc`` of that version; None if there is no such one."""
    version = CodebookVersion.objects.filter(codebook_id=project.codebook_id, number=number).first()
    if version is None:
        return None
    rows = [
        CodeRow(
            path=c["path"],
            name=c["name"],
            parent_path=c["path"].rsplit("/", 1)[0] if "/" in c["path"] else "",
            color=c["color"],
            definition=c["definition"],
            inclusion_criteria=c["inclusion_criteria"],
            exclusion_criteria=c["exclusion_criteria"],
            example=c["example"],
            shortcut=c["shortcut"],
            order=c["order"],
            is_active=c["is_active"],
        )
        for c in version.snapshot
    ]
    return tuple(sorted(rows, key=lambda r: r.path.count("/")))


@dataclass(frozen=True)
class Banner:
    version: CodebookVersion | None
    seen: int | None  # the version number the coder last acknowledged
    changes: tuple[str, ...]  # what changed between that version and the latest

    @property
    def is_new(self) -> bool:
        return self.version is not None and self.seen != self.version.number


def codebook_banner(project, user) -> Banner:
    latest = latest_version(project.codebook_id)
    seen = (
        CodebookSeen.objects.filter(user=user, codebook_id=project.codebook_id)
        .select_related("version")
        .first()
    )
    if latest is None:
        return Banner(None, None, ())
    if seen is None:
        return Banner(latest, None, ())
    changes = (
        ()
        if seen.version_id == latest.pk
        else snapshot_diff(seen.version.snapshot, latest.snapshot)
    )
    return Banner(latest, seen.version.number, tuple(changes))


def codebook_history_rows(codebook_id: int) -> dict:
    """The versions and the audit trail of a codebook as plain JSON-ready data, for the project
    archive (``{"versions": [...], "changes": [...]}``, oldest first)."""
    versions = CodebookVersion.objects.filter(codebook_id=codebook_id).select_related(
        "published_by"
    )
    changes = CodebookChange.objects.filter(codebook_id=codebook_id).select_related(
        "user", "version"
    )
    return {
        "versions": [
            {
                "number": v.number,
                "note": v.note,
                "published_by": v.published_by.username if v.published_by else None,
                "published_at": v.published_at.isoformat(),
                "codes": v.snapshot,
            }
            for v in versions
        ],
        "changes": [
            {
                "at": c.at.isoformat(),
                "user": c.user.username if c.user else None,
                "action": c.action,
                "code": c.code_path,
                "before": c.before,
                "after": c.after,
                "version": c.version.number if c.version else None,
            }
            for c in changes
        ],
    }
