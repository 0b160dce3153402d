"""The staff shell's URL namespace `staff` (/staff/...): each app's pages under one name, so links read
`staff:queue`, `staff:report`, `staff:subject`, `staff:audit_log` whichever app owns the page. Composed here, at the
project level beside `urls.py`, so no app owns the namespace and none imports another's views to fill it."""

from django.urls import path

from safeguard.audit import views as audit_views
from safeguard.subjects import views as subject_views
from safeguard.triage import engine_views
from safeguard.triage import views as triage_views

app_name = "staff"

urlpatterns = [
    path("", triage_views.queue, name="queue"),
    path("reports/<str:reference>/", triage_views.report_detail, name="report"),
    path("reports/<str:reference>/status/", triage_views.change_status, name="change_status"),
    path("reports/<str:reference>/assign/", triage_views.assign, name="assign"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("subjects/<int:pk>/", subject_views.subject_detail, name="subject"),
    path("subjects/<int:pk>/merge/", subject_views.merge_suggestion, name="merge_subject"),
    path("subject-merges/<int:pk>/reverse/", subject_views.reverse_merge, name="reverse_merge"),
    path("networks/", subject_views.networks, name="networks"),
    path("search/", engine_views.search, name="search"),
    path("scoring-model/", engine_views.scoring_model, name="scoring_model"),
    path("notifications/", engine_views.notifications, name="notifications"),
]
