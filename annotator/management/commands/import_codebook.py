from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotator.models import Project
from annotator.services import imports


class Command(BaseCommand):
    help = (
        "Add the codes of a REFI-QDA codebook (.qdc), or of the codebook inside a REFI-QDA "
        "project (.qdpx), to a project's codebook."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("path")

    def handle(self, *args, project_id, path, **options):
        project = Project.objects.select_related("codebook").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        try:
            with open(path, "rb") as file:
                result = imports.codebook_import(
                    project=project, format="qdc", file=file, filename=path
                )
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror}).") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(str(result))
