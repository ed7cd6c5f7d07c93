import functools
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.exports.tabular import parse_columns
from annotator.models import Project
from annotator.services import imports


class Command(BaseCommand):
    help = "Import documents from .txt files (or folders of them), a CSV or a JSONL file."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("paths", nargs="+", help="files; for txt also folders")
        parser.add_argument("--format", required=True, choices=["txt", "csv", "jsonl"])
        parser.add_argument("--text-column", default="text", help="CSV: the column with the text")
        parser.add_argument(
            "--columns",
            default="",
            help="CSV: field=column pairs, e.g. title=Headline,published=Date,section=Section "
            "(title, source, author, url, published, external_id; other names become metadata)",
        )

    def handle(self, *args, project_id, paths, format, text_column, columns, **options):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        progress = functools.partial(tqdm, file=sys.stderr, unit="doc")
        try:
            if format == "txt":
                files = _txt_files(paths)
                handles = [(str(path), path.open("rb")) for path in files]
                try:
                    result = imports.documents_import_txt(
                        project=project, files=handles, progress=progress
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
                with _open(paths[0]) as file:
                    if format == "csv":
                        result = imports.documents_import_csv(
                            project=project,
                            file=file,
                            filename=paths[0],
                            text_column=text_column,
                            columns=mapping,
                            progress=progress,
                        )
                    else:
                        result = imports.documents_import_jsonl(
                            project=project, file=file, filename=paths[0], progress=progress
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
