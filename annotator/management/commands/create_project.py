from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotator.services import projects


class Command(BaseCommand):
    help = "Create a project with a new empty codebook; the given user becomes its manager."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--manager", required=True, help="The username of its first manager.")
        parser.add_argument("--description", default="")
        parser.add_argument("--granularity", choices=["character", "word"], default="character")
        parser.add_argument("--no-blind-coding", action="store_true")
        parser.add_argument("--no-assignments", action="store_true")

    def handle(self, *args, name, manager, **options):
        user = get_user_model().objects.filter(username=manager).first()
        if user is None:
            raise CommandError(f"No user {manager!r}: create it first (createsuperuser).")
        try:
            project = projects.project_create(
                creator=user,
                name=name,
                description=options["description"],
                granularity=options["granularity"],
                blind_coding=not options["no_blind_coding"],
                uses_assignments=not options["no_assignments"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(f"Created project {project.pk} “{project.name}”; manager {manager}.")
