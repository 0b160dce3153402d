from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("emerging/", views.emerging, name="emerging"),
    path("outcomes/", views.outcome_page, name="outcomes"),
    path("export/<slug:key>.<str:fmt>", views.export, name="export"),
    path("publications/", views.publications, name="publications"),
    path("publications/<slug:kind>-<int:year>.pdf", views.publication_pdf, name="publication_pdf"),
    path("refresh/", views.refresh, name="refresh"),
]
