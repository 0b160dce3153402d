"""Staff pages, mounted at /staff/education/."""

from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.set_target, name="set_target"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/upload/", views.session_upload, name="session_upload"),
    path("sessions/<int:pk>/clear-flags/", views.session_clear_flags, name="session_clear_flags"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views.survey_results, name="survey"),
    path("surveys/<int:pk>/export.<str:fmt>", views.survey_export, name="survey_export"),
    path("surveys/<int:pk>/import/", views.survey_import, name="survey_import"),
    path("surveys/<int:pk>/links/", views.survey_link, name="survey_link"),
    path("surveys/<int:pk>/open/", views.survey_open, name="survey_open"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/<int:pk>/versions/", views.programme_version, name="programme_version"),
    path("trainers/", views.trainer_list, name="trainers"),
    path("trainers/<int:pk>/accredit/", views.trainer_accredit, name="trainer_accredit"),
    path("courses/", views.course_list, name="courses"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/bookings/<int:booking_pk>/cancel/", views.course_cancel_booking, name="cancel_booking"),
]
