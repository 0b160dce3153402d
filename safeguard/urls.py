from django.urls import include, path

from safeguard.partners.api import api_urls

urlpatterns = [
    path("", include("safeguard.core.urls")),
    path("report/", include("safeguard.reporting.urls")),
    path("staff/account/", include("safeguard.accounts.urls")),
    path("staff/wanted/", include("safeguard.wanted.staff_urls")),
    path("staff/education/", include("safeguard.education.urls")),
    path("staff/", include("safeguard.triage.urls")),
    path("api/v1/", api_urls()),
    path("training/", include("safeguard.education.public_urls")),
    path("partners/", include("safeguard.partners.urls")),
    path("most-wanted/", include("safeguard.wanted.urls")),
]
