from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.list, name="list"),
    path("schedules/<str:record_type>/", views.schedule, name="schedule"),
    path("<str:record_type>/<int:object_id>/", views.review, name="review"),
]
