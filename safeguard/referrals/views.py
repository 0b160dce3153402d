"""Staff pages of the referrals app (placeholder page until the app's own work fills it)."""

from django.http import HttpResponse

from safeguard.accounts.roles import Capability, require_capability


@require_capability(Capability.IMPORT_REFERRALS)
def list(request):
    return HttpResponse("Bulk referrals")
