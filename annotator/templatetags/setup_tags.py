from django import template

from ..services.projects import can_create_projects

register = template.Library()


@register.filter
def may_create_projects(user) -> bool:
    """Whether ``user`` may create projects (``ANNOTATOR_PROJECT_CREATORS``)."""
    return can_create_projects(user)
