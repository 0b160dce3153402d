"""Staff pages of the dissemination app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.PREPARE_DISSEMINATION)
def list(request):
    return HttpResponse("Disseminations")
