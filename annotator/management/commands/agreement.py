"""``manage.py agreement``: the project agreement report in the terminal and as files.

Prints the per-code table (text, JSON, Markdown or LaTeX) and the methods paragraph; a tqdm
progress bar on stderr follows the bootstrap; ``--output DIR`` writes every export file (CSV
and JSON tables, report JSON, Markdown, LaTeX, methods paragraph, SVG and PNG plots). The
numbers are those of the report page for the same filters (same selector, same computation).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.agreement import methods_paragraph, report_tables, to_latex, to_markdown
from annotator.models import Code, Document, Membership, Project
from annotator.reports import files, gamma
from annotator.reports.compute import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_SEED,
    MAX_BOOTSTRAP,
    project_report,
)
from annotator.reports.presentation import fmt
from annotator.selectors.agreement import AgreementNarrowing


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Compute a project's inter-coder agreement report; print it and write its files."

    def add_arguments(self, parser):
        parser.add_argument("project", type=int, help="project id")
        parser.add_argument("--documents", help="document ids, comma-separated (default: all)")
        parser.add_argument("--coders", help="coder usernames, comma-separated (default: all)")
        parser.add_argument("--codes", help="code names or ids, comma-separated (default: all)")
        parser.add_argument(
            "--from", dest="date_from", help="only documents a coder marked done on or after DATE"
        )
        parser.add_argument(
            "--to", dest="date_to", help="only documents a coder marked done on or before DATE"
        )
        parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--output", help="directory to write every export file into")
        parser.add_argument(
            "--format", choices=["text", "json", "markdown", "latex"], default="text"
        )
        parser.add_argument(
            "--gamma",
            action="store_true",
            help="also compute Mathet et al.'s gamma (needs: pip install 'annotator[gamma]'; slow)",
        )
        parser.add_argument(
            "--gold",
            action="store_true",
            help="add the gold standard as a coder, to compare each coder with it",
        )

    def handle(self, *args, **opts):
        project = Project.objects.filter(pk=opts["project"]).first()
        if project is None:
            raise CommandError(f"no project with id {opts['project']}")
        narrowing = self._narrowing(project, opts)
        if not 0 <= opts["bootstrap"] <= MAX_BOOTSTRAP:
            raise CommandError(f"--bootstrap must be between 0 and {MAX_BOOTSTRAP}")
        if opts["gamma"] and not gamma.available():
            raise CommandError("--gamma needs the optional extra: pip install 'annotator[gamma]'")
        output = Path(opts["output"]) if opts["output"] else None
        if output is not None and output.exists() and not output.is_dir():
            raise CommandError(f"--output {output} exists and is not a directory")
        bar = tqdm(
            total=opts["bootstrap"],
            desc="bootstrap",
            unit="replicate",
            disable=not opts["bootstrap"] or opts["verbosity"] == 0,
            file=sys.stderr,
        )

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        try:
            report = project_report(
                project,
                narrowing,
                bootstrap=opts["bootstrap"],
                seed=opts["seed"],
                progress=progress,
                use_cache=False,
            ).report
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        table = self._table(report, opts["format"])
        gamma_line = None
        if opts["gamma"]:
            result = gamma.project_gamma(project, narrowing, seed=opts["seed"])
            if opts["format"] == "json":
                full = json.loads(table) | {"gamma": result}
                table = json.dumps(full, ensure_ascii=False, indent=2, allow_nan=False)
            else:
                shown = (
                    fmt(result["value"])
                    if result["value"] is not None
                    else (f"undefined ({result['reason']})")
                )
                gamma_line = f"\nGamma (Mathet et al. 2015; {gamma.GAMMA_SETTINGS}): {shown}"
        self.stdout.write(table)
        if gamma_line:
            self.stdout.write(gamma_line)
        if opts["format"] != "json":
            self.stdout.write("\n" + methods_paragraph(report))
        if output is not None:
            output.mkdir(parents=True, exist_ok=True)
            names = files.write_all(report, output)
            self.stderr.write(f"Wrote {len(names)} files to {output}")

    def _narrowing(self, project, opts) -> AgreementNarrowing:
        """Check every named document, coder and code against the project: one line if not."""
        try:
            documents = tuple(int(d) for d in _list(opts["documents"]))
        except ValueError:
            raise CommandError("--documents: give document ids, e.g. 1,2") from None
        known = set(
            Document.objects.filter(project=project, pk__in=documents).values_list("pk", flat=True)
        )
        if missing := [d for d in documents if d not in known]:
            raise CommandError(f"--documents: no document {missing[0]} in project {project.pk}")
        coders = tuple(_list(opts["coders"]))
        members = set(
            Membership.objects.filter(project=project).values_list("user__username", flat=True)
        )
        if unknown_coders := [c for c in coders if c not in members]:
            raise CommandError(
                f"--coders: {unknown_coders[0]!r} is not a member of project {project.pk}"
            )
        codes = tuple(_list(opts["codes"]))
        rows = Code.objects.filter(codebook_id=project.codebook_id).values_list("pk", "name")
        names = {name for _, name in rows} | {str(pk) for pk, _ in rows}
        if unknown_codes := [c for c in codes if c not in names]:
            raise CommandError(f"--codes: no code {unknown_codes[0]!r} in the project's codebook")
        date_from = _date(opts["date_from"], "--from")
        date_to = _date(opts["date_to"], "--to")
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from must not be after --to")
        return AgreementNarrowing(
            documents, coders, codes, date_from, date_to, include_gold=opts["gold"]
        )

    def _table(self, report, format: str) -> str:
        rows = report_tables(report)["coefficients"]
        if format == "json":
            return json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
        if format == "markdown":
            return to_markdown(rows)
        if format == "latex":
            return to_latex(rows)
        lines = [f"{'code':<20} {'coefficient (unit)':<58} {'value':>9}  interval / note"]
        for row in rows:
            est = "undefined" if row["value"] is None else fmt(row["value"])
            if row["value"] is None:
                tail = row["note"]
            elif row["ci_low"] is not None:
                tail = f"[{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"
            else:
                tail = ""
            label = f"{row['coefficient']} ({row['unit']})"
            lines.append(f"{row['code']:<20} {label:<58} {est:>9}  {tail}")
        c = report.counts
        lines.append(
            f"\n{c.documents_used} of {c.documents_available} documents, {c.coders_used} of "
            f"{c.coders_available} coders, {c.characters_used} of {c.characters_available} "
            f"characters, {c.codes} codes; bootstrap {report.meta.replicates} replicates, "
            f"seed {report.meta.seed}."
        )
        return "\n".join(lines)
