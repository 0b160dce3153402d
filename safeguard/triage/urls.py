from django.urls import path

from safeguard.audit import views as audit_views

from . import views

app_name = "staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("reports/<str:reference>/", views.report_detail, name="report"),
    path("reports/<str:reference>/status/", views.change_status, name="change_status"),
    path("reports/<str:reference>/assign/", views.assign, name="assign"),
    path("audit/", audit_views.audit_log, name="audit_log"),
]
