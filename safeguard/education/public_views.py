"""Public pages: professional course booking (/training/) and the children's anonymous survey.

No account is needed: a booking is reached through the unguessable link emailed to the booker, a survey through
the link a trainer gives the class. Every page works without JavaScript.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from safeguard.audit.services import Actor

from . import courses, surveys
from .documents import CertificateUnavailable, booking_ics, certificate_pdf
from .forms import BookingForm, survey_form_class
from .models import Booking, BookingStatus, Course, SurveyLink


@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    upcoming = Course.objects.filter(bookable=True, starts_at__gt=timezone.now())
    rows = [(c, courses.places_left(c)) for c in upcoming]
    return render(request, "education/public/courses.html", {"rows": rows})


@never_cache  # a booker's details, or a child's answers, must not stay in a shared device's cache
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk, bookable=True, starts_at__gt=timezone.now())
    form = BookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = courses.book_place(course=course, **form.cleaned_data)
        except courses.BookingError as exc:
            form.add_error("email" if "email" in str(exc) else None, str(exc))
        else:
            return redirect("education_public:booking", token=booking.token)
    context = {"course": course, "form": form, "places_left": courses.places_left(course)}
    return render(request, "education/public/course.html", context, status=400 if form.errors else 200)


def _booking(token: str) -> Booking:
    return get_object_or_404(Booking.objects.select_related("course"), token=token)


@never_cache  # a booker's details, or a child's answers, must not stay in a shared device's cache
@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest, token: str) -> HttpResponse:
    found = _booking(token)
    error = ""
    if request.method == "POST" and request.POST.get("confirm_cancel") == "yes":
        try:
            courses.cancel_booking(booking=found, actor=Actor(label="member of the public (course booking)"))
        except courses.BookingError as exc:
            error = str(exc)
        else:
            return redirect("education_public:booking", token=token)
    position = None
    if found.status == BookingStatus.WAITING:
        position = (
            Booking.objects.filter(course=found.course, status=BookingStatus.WAITING, booked_at__lte=found.booked_at)
            .exclude(booked_at=found.booked_at, id__gt=found.id)
            .count()
        )
    context = {"booking": found, "course": found.course, "position": position, "cancel_error": error}
    return render(request, "education/public/booking.html", context)


@never_cache  # a booker's details, or a child's answers, must not stay in a shared device's cache
@require_GET
def booking_invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = _booking(token)
    if found.status == BookingStatus.WAITING:
        raise Http404("No invitation until a place is confirmed")
    response = HttpResponse(booking_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="course.ics"'
    return response


@never_cache  # a booker's details, or a child's answers, must not stay in a shared device's cache
@require_GET
def booking_certificate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pdf = certificate_pdf(_booking(token))
    except CertificateUnavailable:
        raise Http404("No certificate for this booking") from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


@never_cache  # a booker's details, or a child's answers, must not stay in a shared device's cache
@ratelimit(key="ip", rate="300/h", method="POST", block=True)  # a whole class may share one school address
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    link = get_object_or_404(SurveyLink.objects.select_related("survey", "session"), token=token)
    if not link.survey.open:
        return render(request, "education/public/survey_closed.html", status=410)
    questions = surveys.survey_questions(link.survey)
    form = survey_form_class(questions)(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        raw = {q.code: request.POST.getlist(q.code) for q in questions}
        try:
            surveys.submit_online_response(survey=link.survey, session=link.session, raw=raw)
        except ValueError as exc:
            for code, reason in exc.args[0].items():
                form.add_error(code or None, reason)
        else:
            return redirect("education_public:survey_done")
    conditions = {
        q.code: (q.condition_question.text, dict(q.condition_question.choices()).get(q.condition_value))
        for q in questions
        if q.condition_question_id
    }
    fields = [(form[q.code], q, conditions.get(q.code)) for q in questions]
    return render(request, "education/public/survey.html", {"form": form, "fields": fields, "survey": link.survey})


@require_GET
def survey_done(request: HttpRequest) -> HttpResponse:
    return render(request, "education/public/survey_done.html")
