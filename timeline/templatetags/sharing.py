"""Template helpers for sharing and citing a statement: JSON-LD, absolute URLs, formatted citations."""

from django import template
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString

from timeline import citing
from timeline.models import Citation, Statement

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, path: str) -> str:
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def statement_json_ld(context: template.Context, statement: Statement) -> SafeString:
    """The statement as schema.org JSON-LD in a data block, which our CSP allows (it is never executed).

    json_script escapes <, > and & so the words cannot close the element; it always writes
    type="application/json", and search engines read only application/ld+json.
    """
    request = context["request"]
    data = citing.json_ld(
        statement,
        statement_url=request.build_absolute_uri(statement.get_absolute_url()),
        passage_urls=citing.passage_urls(request, statement),
    )
    block = json_script(data, "statement-ld")
    return SafeString(block.replace('type="application/json"', 'type="application/ld+json"', 1))


@register.simple_tag(takes_context=True)
def formatted_citation(context: template.Context, statement: Statement, citation: Citation) -> SafeString:
    """The citation as text, its passage address linked."""
    url = context["request"].build_absolute_uri(citation.get_absolute_url())
    text = citing.formatted_citation(statement, citation, url)
    return format_html('{}<a href="{}">{}</a>', text.removesuffix(url), url, url)
