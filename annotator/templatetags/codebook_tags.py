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
