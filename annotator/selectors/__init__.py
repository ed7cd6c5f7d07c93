"""Reads with non-trivial queries: the only bridge between the ORM and agreement/exports."""

from django.db.models import Count, Q

from ..models import Document, DocumentStatus, Project


def projects_for_user(user):
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(document_count=Count("documents", distinct=True))
        .select_related("codebook")
        .order_by("name")
    )


def documents_with_progress(*, project: Project, user) -> list[Document]:
    """The project's documents with the user's own status and number of codings (one query)."""
    documents = list(
        Document.objects.filter(project=project)
        .defer("text", "metadata")
        .annotate(my_codings=Count("annotations", filter=Q(annotations__coder=user)))
        .order_by("order", "id")
    )
    states = dict(
        DocumentStatus.objects.filter(document__project=project, coder=user).values_list(
            "document_id", "state"
        )
    )
    for document in documents:
        document.my_state = states.get(document.pk)
    return documents
