from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/columns/", views.mapping, name="mapping"),
    path("<int:pk>/control/", views.control, name="control"),
    path("<int:pk>/errors.csv", views.errors_csv, name="errors"),
    path("<int:pk>/summary/", views.summary, name="summary"),
]
