"""Staff pages of the routing app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.MANAGE_RECIPIENTS)
def recipients(request):
    return HttpResponse("Recipients")
