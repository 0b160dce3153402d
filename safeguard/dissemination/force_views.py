"""The receiving force's portal (placeholder home until the dissemination work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.FORCE_PORTAL)
def home(request):
    return HttpResponse("Force portal")
