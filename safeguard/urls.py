from django.urls import include, path

from safeguard.partners.api import api_urls

urlpatterns = [
    path("", include("safeguard.core.urls")),
    path("report/", include("safeguard.reporting.urls")),
    path("remove-it/", include("safeguard.removal.urls")),
    path("staff/account/", include("safeguard.accounts.urls")),
    path("staff/wanted/", include("safeguard.wanted.staff_urls")),
    path("staff/education/", include("safeguard.education.urls")),
    path("staff/routing/", include("safeguard.routing.urls")),
    path("staff/cases/", include("safeguard.cases.urls")),
    path("staff/dissemination/", include("safeguard.dissemination.urls")),
    path("staff/referrals/", include("safeguard.referrals.urls")),
    path("staff/insight/", include("safeguard.insight.urls")),
    path("staff/retention/", include("safeguard.retention.urls")),
    path("staff/evidence/", include("safeguard.evidence.urls")),
    # The receiving force's portal: under /staff/ so two-factor sign-in and no-store apply to it too.
    path("staff/force/", include("safeguard.dissemination.force_urls")),
    path("staff/", include("safeguard.staff_urls")),
    path("api/v1/", api_urls()),
    path("training/", include("safeguard.education.public_urls")),
    path("partners/", include("safeguard.partners.urls")),
    path("most-wanted/", include("safeguard.wanted.urls")),
    # Overseas recipients acknowledge a package by signed link, without an account.
    path("acknowledge/", include("safeguard.dissemination.public_urls")),
]

# GOV.UK error pages, public or staff by path (safeguard/core/errors.py).
handler400 = "safeguard.core.errors.bad_request"
handler403 = "safeguard.core.errors.permission_denied"
handler404 = "safeguard.core.errors.page_not_found"
# A database outage met outside a view is a 503 with Retry-After too (safeguard/core/db_unavailable.py).
handler500 = "safeguard.core.views.server_error"
