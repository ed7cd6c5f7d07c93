"""Markdown of code definitions, criteria and examples, rendered safely."""

from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# CommonMark with raw HTML off: any "<" in the text is escaped, never rendered; markdown-it's
# link validation drops javascript:, vbscript:, file: and data: (except images) URLs.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@register.filter
def markdown(text: str) -> str:
    return mark_safe(_MARKDOWN.render(text or ""))  # noqa: S308 - html=False escapes input


@register.inclusion_tag("annotator/codebook/_version_banner.html", takes_context=True)
def codebook_banner(context, project):
    """The workspace banner: the current codebook version and what changed since the coder
    last acknowledged one. Usage: ``{% load codebook_tags %}{% codebook_banner project %}``."""
    from ..selectors.codebooks import codebook_banner as banner

    request = context["request"]
    return {
        "project": project,
        "banner": banner(project, request.user),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
