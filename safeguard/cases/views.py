"""Staff pages of the cases app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.VIEW_CASES)
def list(request):
    return HttpResponse("Cases")
