from django import template

from safeguard.dissemination.documents import kind_label

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Read a posted value whose name a template cannot spell (a GOV.UK date input's `when-day`)."""
    if not mapping:
        return ""
    return mapping.get(key, "")


@register.filter
def identifier_kind(kind: str) -> str:
    """An identifier's kind in words ("display_name" -> "Display name"), as the package PDF names it."""
    return kind_label(kind)
