from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from annotator.models import Membership, Project
from annotator.services import members


class Command(BaseCommand):
    help = (
        "Add an existing account to a project (--user), or print a single-use invitation link "
        "for a new person (--base-url, e.g. https://annotator.example.org)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project_id", type=int)
        parser.add_argument("--role", choices=Membership.Role.values, default="annotator")
        parser.add_argument("--user", help="Username or email of an existing account to add.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--email", default="", help="Also mail the link to this address.")
        parser.add_argument("--by", help="The manager the invitation is from (username).")

    def handle(self, *args, project_id, role, **options):
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            raise CommandError(f"No project with id {project_id}.")
        try:
            if options["user"]:
                membership = members.member_add(
                    project=project, user_identifier=options["user"], role=role
                )
                self.stdout.write(f"Added {membership.user.username} as {role}.")
                return
            by = get_user_model().objects.filter(username=options["by"] or "").first()
            base = options["base_url"].rstrip("/")
            invitation, token = members.invitation_create(
                project=project,
                role=role,
                email=options["email"],
                created_by=by,
                accept_url=lambda t: f"{base}/invitations/{t}/",
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"{base}/invitations/{token}/ (single use, {role}, valid until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC)"
        )
