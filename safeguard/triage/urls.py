from django.urls import path

from safeguard.audit import views as audit_views

from . import engine_views, views

app_name = "staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("reports/<str:reference>/", views.report_detail, name="report"),
    path("reports/<str:reference>/status/", views.change_status, name="change_status"),
    path("reports/<str:reference>/assign/", views.assign, name="assign"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("subjects/<int:pk>/", engine_views.subject_detail, name="subject"),
    path("subjects/<int:pk>/merge/", engine_views.merge_suggestion, name="merge_subject"),
    path("subject-merges/<int:pk>/reverse/", engine_views.reverse_merge, name="reverse_merge"),
    path("search/", engine_views.search, name="search"),
    path("scoring-model/", engine_views.scoring_model, name="scoring_model"),
    path("notifications/", engine_views.notifications, name="notifications"),
    path("networks/", engine_views.networks, name="networks"),
]
