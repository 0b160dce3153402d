"""Staff pages of the retention app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.REVIEW_RETENTION)
def list(request):
    return HttpResponse("Retention")
