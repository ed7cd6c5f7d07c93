import functools
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.exports import formats
from annotator.exports.tabular import parse_columns
from annotator.exports.units import UNITS
from annotator.models import Project
from annotator.services import imports


def _kinds() -> dict:
    """``{name: format}`` of the formats documents can be imported from (txt, csv, jsonl, ...)."""
    return {
        kind.split("-", 1)[1]: entry
        for kind, (what, entry) in formats.import_kinds().items()
        if what == formats.DOCUMENTS
    }


class Command(BaseCommand):
    help = "Import documents from .txt files (or folders of them), a CSV, JSONL, or another format."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("paths", nargs="+", help="files; for txt also folders")
        parser.add_argument("--format", required=True, choices=sorted(_kinds()))
        parser.add_argument("--text-column", default="text", help="CSV: the column with the text")
        parser.add_argument(
            "--columns",
            default="",
            help="CSV: field=column pairs, e.g. title=Headline,published=Date,section=Section "
            "(title, source, author, url, published, external_id; other names become metadata)",
        )
        parser.add_argument(
            "--offsets", default="", choices=UNITS, help="offset unit, for formats that take one"
        )

    def handle(self, *args, project_id, paths, format, text_column, columns, offsets, **options):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        entry = _kinds()[format]
        progress = functools.partial(tqdm, file=sys.stderr, unit="doc")
        try:
            if entry.many_files:
                files = _txt_files(paths)
                handles = [(str(path), path.open("rb")) for path in files]
                try:
                    result = imports.documents_import_files(
                        project=project, format=entry.key, files=handles, progress=progress
                    )
                finally:
                    for _, handle in handles:
                        handle.close()
            else:
                if len(paths) != 1:
                    raise CommandError(f"--format {format} takes one file.")
                try:
                    mapping = parse_columns(columns)
                except ValueError as exc:
                    raise CommandError(f"--columns: {exc}") from None
                options = imports.import_options(
                    entry, offsets=offsets, text_column=text_column, columns=mapping
                )
                with _open(paths[0]) as file:
                    result = imports.documents_import(
                        project=project,
                        format=entry.key,
                        file=file,
                        filename=paths[0],
                        options=options,
                        progress=progress,
                    )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(str(result))


def _open(path: str):
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the caller's with statement
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror}).") from None


def _txt_files(paths: list[str]) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(path.glob("*.txt")))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{name}: no such file or folder.")
    if not files:
        raise CommandError("No .txt files found.")
    return files
