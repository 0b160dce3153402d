from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.start, name="start"),
    path("leaving-this-site-quickly/", views.leaving_quickly, name="leaving_quickly"),
    path("staying-safe/", views.safety, name="safety"),
    path("call-999/", views.call_999, name="call_999"),
    path("screenshots/", views.screenshots, name="screenshots"),
    path("check-your-answers/", views.check_answers, name="check_answers"),
    path("sent/", views.confirmation, name="confirmation"),
    path("follow-up/", views.follow_up_sign_in, name="follow_up"),
    path("follow-up/your-report/", views.follow_up_report, name="follow_up_report"),
    path("follow-up/sign-out/", views.follow_up_sign_out, name="follow_up_sign_out"),
    # Question pages last: the slug pattern would otherwise shadow the named pages above.
    path("<slug:slug>/", views.step, name="step"),
]
