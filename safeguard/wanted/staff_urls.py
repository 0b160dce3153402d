from django.urls import path

from . import staff_views

app_name = "wanted_staff"

urlpatterns = [
    path("", staff_views.wanted_list, name="list"),
    path("new/", staff_views.create, name="create"),
    path("measures/", staff_views.measures, name="measures"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/edit/", staff_views.edit, name="edit"),
    path("<int:pk>/action/", staff_views.act, name="act"),
]
