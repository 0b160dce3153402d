from django.urls import path

from . import force_views

app_name = "force"

urlpatterns = [
    path("", force_views.home, name="home"),
    path("<str:reference>/", force_views.detail, name="detail"),
    path("<str:reference>/package.pdf", force_views.download_pdf, name="pdf"),
    path("<str:reference>/package.json", force_views.download_json, name="json"),
    path("<str:reference>/acknowledge/", force_views.acknowledge, name="acknowledge"),
    path("<str:reference>/outcome/", force_views.outcome, name="outcome"),
]
