import functools
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.exports import formats
from annotator.exports.units import UNITS
from annotator.models import Project
from annotator.services import imports


class Command(BaseCommand):
    help = (
        "Import codings from a file in any format of the registry (JSON Lines, doccano, Label "
        "Studio, a REFI-QDA project .qdpx, ...). Coders map to members of "
        "the project, the project's gold-standard account to the gold standard, anyone else to "
        "a new inactive placeholder account; the mapping is printed first."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("path")
        parser.add_argument(
            "--format", required=True, choices=sorted(formats.importable(formats.CODINGS))
        )
        parser.add_argument(
            "--offsets", default="", choices=UNITS, help="offset unit, for formats that take one"
        )
        parser.add_argument(
            "--user",
            default="",
            help="a member of the project, credited with codings that name no coder",
        )
        parser.add_argument(
            "--placeholder-prefix",
            default="",
            help='start of the names of new placeholder accounts (default "imported-")',
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the coder mapping and write nothing"
        )

    def handle(
        self, *args, project_id, path, format, offsets, user, placeholder_prefix, dry_run, **options
    ):
        project = Project.objects.select_related("codebook").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        coder = None
        if user:
            User = get_user_model()
            coder = User.objects.filter(**{User.USERNAME_FIELD: user}).first()
            if coder is None:
                raise CommandError(f"--user: no user named {user!r}.")
        progress = functools.partial(tqdm, file=sys.stderr)
        try:
            options = imports.import_options(formats.REGISTRY[format], offsets=offsets)
            with open(path, "rb") as file:
                result = imports.annotations_import(
                    project=project,
                    format=format,
                    options=options,
                    file=file,
                    filename=path,
                    user=coder,
                    placeholder_prefix=placeholder_prefix,
                    preview=dry_run,
                    progress=progress,
                )
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror}).") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for match in result.coders:
            self.stdout.write(f"coder {match}")
        self.stdout.write("Dry run: nothing written." if dry_run else str(result))
