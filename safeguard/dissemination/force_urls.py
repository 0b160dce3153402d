from django.urls import path

from . import force_views

app_name = "force"

urlpatterns = [
    path("", force_views.home, name="home"),
]
