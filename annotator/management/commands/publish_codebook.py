from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotator.models import Membership, Project
from annotator.services import codebooks


class Command(BaseCommand):
    help = (
        "Publish the draft of a project's codebook as its next version, with a note "
        "(--dry-run: print what the draft changes and publish nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--note", default="", help="What this version changes (required).")
        parser.add_argument("--by", help="The manager publishing it (username).")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, project_id, note, by, dry_run, **options):
        project = Project.objects.select_related("codebook").filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            is_manager = Membership.objects.filter(
                project=project, user=user, role=Membership.Role.MANAGER
            ).exists()
            if user is None or not is_manager:
                raise CommandError(f"--by: {by!r} is not a manager of project {project_id}.")
        if dry_run:
            lines = codebooks.draft_diff(project.codebook_id)
            self.stdout.write("; ".join(lines) if lines else "The draft changes nothing.")
            return
        try:
            version = codebooks.codebook_publish(codebook=project.codebook, user=user, note=note)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        changes = codebooks.version_changes(version)
        self.stdout.write(
            f"Published version {version.number} of “{project.codebook.name}” "
            f"({len(version.snapshot)} codes, {len(changes)} change(s))."
        )
