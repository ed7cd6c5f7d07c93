from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_page_or_partial(request, template: str, partial: str, context: dict, **kwargs):
    """The full page, or ``template#partial`` for an htmx request (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    name = f"{template}#{partial}" if htmx and not htmx.history_restore_request else template
    response = render(request, name, context, **kwargs)
    patch_vary_headers(response, ["HX-Request"])
    return response
