from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotator.models import Annotation, Membership, Project
from annotator.services.codebooks import codebook_publish, latest_version

DEFAULT_PASSWORD = "annotate-demo"  # noqa: S105 - the documented demo password
DEMO_PROJECT_PK = 1
# username -> (role in the demo project, superuser?)
DEMO_ACCOUNTS = {
    "admin": (Membership.Role.MANAGER, True),
    "cora": (Membership.Role.CURATOR, False),
    "alice": (Membership.Role.ANNOTATOR, False),
    "bob": (Membership.Role.ANNOTATOR, False),
    "carol": (Membership.Role.ANNOTATOR, False),
}


class Command(BaseCommand):
    help = "Create the demo accounts and load the demo project's codings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="password for every demo account"
        )
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DEBUG off; pass --force to insist.")
        with transaction.atomic():
            if not Project.objects.filter(pk=DEMO_PROJECT_PK).exists():
                call_command("loaddata", "codebook", "articles", verbosity=0)
            project = Project.objects.get(pk=DEMO_PROJECT_PK)
            User = get_user_model()
            for username, (role, superuser) in DEMO_ACCOUNTS.items():
                user, _ = User.objects.get_or_create(username=username)
                user.is_staff = user.is_superuser = superuser
                user.is_active = True
                user.set_password(password)
                user.save()
                Membership.objects.update_or_create(
                    user=user, project=project, defaults={"role": role}
                )
            call_command("loaddata", "demo_codings", verbosity=0)
            # The demo starts at codebook version 1, and its codings were made under it.
            codebook = project.codebook
            version = latest_version(codebook.pk) or codebook_publish(
                codebook=codebook, user=None, note="The default codebook"
            )
            Annotation.objects.filter(
                document__project=project, codebook_version__isnull=True
            ).update(codebook_version=version)
        self.stdout.write(f"Demo accounts {', '.join(DEMO_ACCOUNTS)} ready; password: {password}")
