"""Acknowledgement by signed link, for overseas recipients without an account (no sign-in, so not under /staff/)."""

from django.urls import path

from . import public_views

app_name = "dissemination_public"

urlpatterns = [
    path("<str:token>/", public_views.acknowledge, name="acknowledge"),
]
