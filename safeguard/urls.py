from django.urls import include, path

urlpatterns = [
    path("", include("safeguard.core.urls")),
    path("report/", include("safeguard.reporting.urls")),
    path("staff/account/", include("safeguard.accounts.urls")),
    path("staff/", include("safeguard.triage.urls")),
]
