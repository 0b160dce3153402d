"""Template helpers for staff pages: `{% load staff %}`."""

from django import template

from safeguard.accounts.areas import areas_for
from safeguard.accounts.roles import has_capability, staff_home_url_name

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, capability: str) -> bool:
    """`{% can "view_audit_log" as may_audit %}`: whether the signed-in user holds a capability."""
    request = context.get("request")
    return request is not None and has_capability(request.user, capability)


@register.simple_tag(takes_context=True)
def staff_home_url(context) -> str:
    """The first page the signed-in person's role can use (the queue, for most)."""
    from django.urls import reverse

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return reverse("accounts:login")
    return reverse(staff_home_url_name(request.user))


@register.simple_tag(takes_context=True)
def staff_areas(context) -> list:
    """`{% staff_areas as areas %}`: the staff areas the signed-in person's role can use (accounts.areas)."""

    request = context.get("request")
    return areas_for(request.user) if request is not None else []
