from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("demo/messenger/", views.demo_messenger, name="demo_messenger"),
]
