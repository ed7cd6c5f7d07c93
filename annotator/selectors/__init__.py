"""Reads with non-trivial queries: the only bridge between the ORM and agreement/exports."""

from django.db.models import Count

from ..models import Project


def projects_for_user(user):
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(document_count=Count("documents", distinct=True))
        .select_related("codebook")
        .order_by("name")
    )
