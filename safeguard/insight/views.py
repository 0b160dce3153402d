"""Staff pages of the insight app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.VIEW_INSIGHT)
def dashboard(request):
    return HttpResponse("Threat assessment")
