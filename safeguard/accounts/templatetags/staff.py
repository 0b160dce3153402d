"""Template helpers for staff pages: `{% load staff %}`."""

from django import template

from safeguard.accounts.roles import has_capability

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, capability: str) -> bool:
    """`{% can "view_audit_log" as may_audit %}`: whether the signed-in user holds a capability."""
    request = context.get("request")
    return request is not None and has_capability(request.user, capability)
