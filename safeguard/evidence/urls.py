from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("reports/<str:reference>/", views.report_evidence, name="report"),
    path("files/<int:pk>/image/", views.image, name="image"),
    path("files/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("files/<int:pk>/download/", views.download, name="download"),
    path("exposure/", views.exposure, name="exposure"),
    path("self-reported/", views.self_reported_list, name="self_reported"),
    path("self-reported/<int:pk>/", views.self_reported_detail, name="self_reported_detail"),
    path("self-reported/<int:pk>/review/", views.self_reported_review, name="self_reported_review"),
]
