"""Creating a project and changing its settings, for the home page, the settings page, the API
and the ``create_project`` command alike.

A new project needs a codebook: by default an empty one named after the project (made unique
when a codebook of that name exists), or an existing codebook that one of the creator's
managed projects uses (the codebook is then shared: an edit shows in both projects).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..models import Assignment, Codebook, Membership, Project

SETTINGS_FIELDS = ("name", "description", "granularity", "blind_coding", "uses_assignments")


def can_create_projects(user) -> bool:
    """``ANNOTATOR_PROJECT_CREATORS``: "staff" (staff and superusers) or "all" signed-in users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if settings.ANNOTATOR_PROJECT_CREATORS == "all":
        return True
    return user.is_staff or user.is_superuser


def creatable_codebooks(user):
    """Codebooks a new project of ``user`` may share: those of projects they manage."""
    return Codebook.objects.filter(
        projects__memberships__user=user, projects__memberships__role=Membership.Role.MANAGER
    ).distinct()


def _unique_codebook_name(name: str) -> str:
    candidate, n = name, 1
    while Codebook.objects.filter(name=candidate).exists():
        n += 1
        candidate = f"{name} ({n})"
    return candidate


def _check(project: Project) -> None:
    project.name = (project.name or "").strip()
    if not project.name:
        raise ValidationError({"name": "Give the project a name."})
    project.full_clean(exclude=["codebook", "gold_user"])


@transaction.atomic
def project_create(
    *,
    creator,
    name: str,
    description: str = "",
    granularity: str = Project.Granularity.CHARACTER,
    blind_coding: bool = True,
    uses_assignments: bool = True,
    codebook: Codebook | None = None,
) -> Project:
    """A new project with ``creator`` as its manager, and a new empty codebook unless
    ``codebook`` (one the creator may share, see ``creatable_codebooks``) is given."""
    if not can_create_projects(creator):
        raise PermissionDenied(creators_message())
    project = Project(
        name=name,
        description=description or "",
        granularity=granularity,
        blind_coding=blind_coding,
        uses_assignments=uses_assignments,
    )
    _check(project)
    if codebook is None:
        codebook = Codebook.objects.create(
            name=_unique_codebook_name(project.name[:190]),
            description=f"The codebook of the project “{project.name}”.",
        )
    elif not creatable_codebooks(creator).filter(pk=codebook.pk).exists():
        raise ValidationError({"codebook": "Choose a codebook of a project you manage."})
    project.codebook = codebook
    project.save()
    Membership.objects.create(project=project, user=creator, role=Membership.Role.MANAGER)
    return project


def creators_message() -> str:
    if settings.ANNOTATOR_PROJECT_CREATORS == "staff":
        return "Creating projects needs a staff account: ask an administrator."
    return "Creating projects needs an active account."


@transaction.atomic
def project_update(*, project: Project, **fields) -> Project:
    """Change a project's settings (managers). Switching assignments off is refused while the
    project has assignments: agreement counts only assigned documents while it has any."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    for name, value in fields.items():
        setattr(project, name, value)
    _check(project)
    if (
        fields.get("uses_assignments") is False
        and Assignment.objects.filter(document__project=project).exists()
    ):
        raise ValidationError(
            {
                "uses_assignments": "This project has assignments: remove them on the "
                "Assignments page before switching assignments off."
            }
        )
    project.save(update_fields=[*fields] or None)
    return project
