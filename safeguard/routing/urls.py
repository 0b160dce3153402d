from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("", views.recipients, name="recipients"),
    path("new/", views.recipient_edit, name="new"),
    path("<slug:code>/", views.recipient_edit, name="edit"),
]
