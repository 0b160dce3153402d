"""Public pages, mounted at /training/."""

from django.urls import path

from . import public_views as views

app_name = "education_public"

urlpatterns = [
    path("", views.course_list, name="courses"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("booking/<str:token>/", views.booking, name="booking"),
    path("booking/<str:token>/invitation.ics", views.booking_invitation, name="invitation"),
    path("booking/<str:token>/certificate.pdf", views.booking_certificate, name="certificate"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("survey-complete/", views.survey_done, name="survey_done"),
]
