import functools
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from annotator.services import imports


class Command(BaseCommand):
    help = "Restore a project archive (from export_project --format archive) as a new project."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--name", default="", help="project name (default: the archive's)")

    def handle(self, *args, path, name, **options):
        progress = functools.partial(tqdm, file=sys.stderr)
        try:
            with open(path, "rb") as file:
                project = imports.project_import_archive(
                    file=file, filename=path, name=name, progress=progress
                )
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror}).") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Restored project {project.name!r} (id {project.pk}).")
