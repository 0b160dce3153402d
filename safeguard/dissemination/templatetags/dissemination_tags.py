from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Read a posted value whose name a template cannot spell (a GOV.UK date input's `when-day`)."""
    if not mapping:
        return ""
    return mapping.get(key, "")
