"""Scoped access: every object is fetched through a project the user belongs to.

Views and API views call these and nothing else to resolve ids from the URL. Objects of a
project the user is not a member of answer 404 (never revealing that they exist); a member whose
role is too low for the action gets 403. Deny by default.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Annotation, Document, Membership, Project

Role = Membership.Role
# Roles ordered by what they may do; a higher role may do everything a lower one may.
_RANK: dict[str, int] = {Role.ANNOTATOR: 1, Role.CURATOR: 2, Role.MANAGER: 3}


@dataclass(frozen=True)
class ProjectAccess:
    project: Project
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def can_curate(self) -> bool:
        """Curators and managers: view every coder's codings, the agreement report, exports."""
        return _RANK[self.role] >= _RANK[Role.CURATOR]

    def sees_all_coders(self) -> bool:
        """Under blind coding an annotator sees only their own codings."""
        return self.can_curate or not self.project.blind_coding

    def require(self, role: str) -> "ProjectAccess":
        if _RANK[self.role] < _RANK[role]:
            # The 403 page shows this message: it names the role needed and the user's own.
            raise PermissionDenied(
                f"This needs the {role} role in the project “{self.project.name}”; "
                f"your role there is {self.role}."
            )
        return self


def project_for(user, project_id, *, role: str = Role.ANNOTATOR) -> ProjectAccess:
    """The project with its member's role; 404 for non-members, 403 when the role is too low."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such project.")
    membership = (
        Membership.objects.select_related("project", "project__codebook")
        .filter(user=user, project_id=project_id)
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    return ProjectAccess(membership.project, membership.role).require(role)


def document_for(user, project_id, document_id, *, role: str = Role.ANNOTATOR):
    access = project_for(user, project_id, role=role)
    document = Document.objects.filter(pk=document_id, project=access.project).first()
    if document is None:
        raise Http404("No such document.")
    return access, document


def annotation_for(user, project_id, annotation_id, *, role: str = Role.ANNOTATOR):
    """A coding the user may see: their own, or any when their role lets them see all coders."""
    access = project_for(user, project_id, role=role)
    qs = Annotation.objects.select_related("document", "code").filter(
        pk=annotation_id, document__project=access.project
    )
    if not access.sees_all_coders():
        qs = qs.filter(coder=user)
    annotation = qs.first()
    if annotation is None:
        raise Http404("No such coding.")
    return access, annotation
