import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from annotator.exports import formats
from annotator.exports.units import UNITS
from annotator.models import Document, Project
from annotator.selectors.exports import ExportNarrowing, code_paths, export_file


class Command(BaseCommand):
    help = "Export a project's coded data in any format of the registry (see --format)."

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--format", required=True, choices=sorted(formats.exportable()))
        parser.add_argument(
            "--offsets",
            default="",
            choices=UNITS,
            help="offset unit for formats that take one (doccano: utf16 by default; jsonl's "
            "label: codepoint by default)",
        )
        parser.add_argument("--output", required=True, help="file to write; - for stdout")
        parser.add_argument("--coders", default="", help="comma-separated usernames")
        parser.add_argument("--codes", default="", help="comma-separated code paths or names")
        parser.add_argument("--documents", default="", help="comma-separated ids or external ids")

    def handle(
        self, *args, project_id, format, offsets, output, coders, codes, documents, **options
    ):
        project = Project.objects.select_related("codebook").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        narrowing = ExportNarrowing(
            coder_ids=_coders(coders),
            code_ids=_codes(project, codes),
            document_ids=_documents(project, documents),
        )
        try:
            export = export_file(project, format, narrowing, offsets=offsets)
        except ValueError as exc:
            raise CommandError(f"--offsets: {exc}") from None
        out = sys.stdout.buffer if output == "-" else _open(output)
        with out, tqdm(unit="B", unit_scale=True, desc=export.filename, file=sys.stderr) as bar:
            for chunk in export.chunks:
                out.write(chunk)
                bar.update(len(chunk))
        if output != "-":
            self.stdout.write(f"Wrote {output}")


def _open(path: str):
    try:
        return open(path, "wb")  # noqa: SIM115 - closed by the with statement above
    except OSError as exc:
        raise CommandError(f"{path}: cannot write ({exc.strerror}).") from None


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _coders(value: str) -> tuple[int, ...]:
    names = _split(value)
    User = get_user_model()
    found = dict(
        User.objects.filter(**{f"{User.USERNAME_FIELD}__in": names}).values_list(
            User.USERNAME_FIELD, "pk"
        )
    )
    for name in names:
        if name not in found:
            raise CommandError(f"--coders: no user named {name!r}.")
    return tuple(found[name] for name in names)


def _codes(project, value: str) -> tuple[int, ...]:
    paths = code_paths(project.codebook_id)
    by_key = {path: pk for pk, path in paths.items()}
    by_key.update({path.rsplit("/", 1)[-1]: pk for pk, path in paths.items() if "/" in path})
    ids = []
    for key in _split(value):
        if key not in by_key:
            raise CommandError(f"--codes: {key!r} is not a code of {project.codebook.name!r}.")
        ids.append(by_key[key])
    return tuple(ids)


def _documents(project, value: str) -> tuple[int, ...]:
    ids = []
    for key in _split(value):
        match = Q(external_id=key) | (Q(pk=int(key)) if key.isdigit() else Q(pk__in=[]))
        pk = Document.objects.filter(match, project=project).values_list("pk", flat=True).first()
        if pk is None:
            raise CommandError(f"--documents: {key!r} is not a document of the project.")
        ids.append(pk)
    return tuple(ids)
