"""Staff pages for prevention work, under /staff/education/ (two-factor sign-in enforced by middleware)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from . import analysis, courses, reach, services, surveys
from .csvutil import MAX_ERRORS_SHOWN, ImportRejected
from .forms import (
    AccreditForm,
    CourseForm,
    CsvUploadForm,
    MaterialVersionForm,
    ProgrammeForm,
    SessionForm,
    TargetForm,
    TrainerForm,
)
from .models import AgeBand, Booking, BookingStatus, Course, Programme, Session, Survey, SurveyLink, Trainer

PAGE_SIZE = 50


def _may_record_sessions(user) -> bool:
    """Education managers record any session; a member of staff who is a trainer records their own."""
    return has_capability(user, Capability.MANAGE_EDUCATION) or Trainer.objects.filter(user=user).exists()


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    board = reach.dashboard(year=year, today=today)
    peak = max([n for _, n in board.children.by_month] + [1])
    context = {
        "board": board,
        "years": range(today.year, today.year - 5, -1),
        "may_manage": has_capability(request.user, Capability.MANAGE_EDUCATION),
        "target_form": TargetForm(initial={"year": year}),
        "month_bars": [(m, n, round(100 * n / peak)) for m, n in board.children.by_month],
        "due": services.accreditations_due(),
        "nav": "education",
    }
    return render(request, "education/dashboard.html", context)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def set_target(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Targets not saved: " + "; ".join(e for errs in form.errors.values() for e in errs))
        return redirect("education:dashboard")
    services.set_target(actor=Actor.of(request.user), **form.cleaned_data)
    messages.success(request, f"Targets for {form.cleaned_data['year']} saved")
    return redirect(f"{reverse('education:dashboard')}?year={form.cleaned_data['year']}")


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = Session.objects.select_related("organisation", "programme", "trainer")
    flagged_only = request.GET.get("flagged") == "1"
    if flagged_only:
        sessions = sessions.exclude(flags=[])
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "flagged_only": flagged_only,
        "may_record": _may_record_sessions(request.user),
        "may_manage": has_capability(request.user, Capability.MANAGE_EDUCATION),
        "nav": "education",
    }
    return render(request, "education/sessions.html", context)


@require_capability(Capability.VIEW_EDUCATION)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    if not _may_record_sessions(request.user):
        raise PermissionDenied("Only education managers and trainers record sessions.")
    own_trainer = Trainer.objects.filter(user=request.user).first()
    form = SessionForm(request.POST if request.method == "POST" else None, initial={"trainer": own_trainer})
    if request.method == "POST" and form.is_valid():
        trainer = form.cleaned_data["trainer"]
        if not has_capability(request.user, Capability.MANAGE_EDUCATION):
            trainer = own_trainer  # a trainer records only their own sessions
        session = services.record_session(
            actor=Actor.of(request.user),
            organisation=form.cleaned_data["organisation"],
            programme=form.cleaned_data["programme"],
            delivered_on=form.cleaned_data["delivered_on"],
            age_band=form.cleaned_data["age_band"],
            attendees=form.cleaned_data["attendees"],
            trainer=trainer,
            recorded_by=request.user,
        )
        note = f" It needs checking: {'; '.join(session.flag_labels)}." if session.flags else ""
        messages.success(request, f"Session recorded.{note}")
        return redirect("education:sessions")
    return render(request, "education/session_new.html", {"form": form, "nav": "education"})


def _upload(request, *, template: str, context: dict, importer) -> HttpResponse:
    """Shared by both CSV uploads: show every row error, or import everything."""
    form = CsvUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            message = importer(upload.read(), upload.name)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(request, message)
            return None
    context = {
        **context,
        "form": form,
        "row_errors": errors[:MAX_ERRORS_SHOWN],
        "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
        "error_count": len(errors),
        "nav": "education",
    }
    return render(request, template, context, status=400 if errors else 200)


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def session_upload(request: HttpRequest) -> HttpResponse:
    def importer(data, name):
        batch = services.import_sessions_csv(
            actor=Actor.of(request.user), data=data, filename=name, uploaded_by=request.user
        )
        flagged = Session.objects.filter(imported_in=batch).exclude(flags=[]).count()
        return f"{batch.rows} sessions imported from {name}" + (f"; {flagged} flagged for checking" if flagged else "")

    context = {
        "columns": services.SESSION_COLUMNS,
        "optional_columns": services.SESSION_OPTIONAL_COLUMNS,
        "age_bands": AgeBand.values,
    }
    response = _upload(request, template="education/session_upload.html", context=context, importer=importer)
    return response or redirect("education:sessions")


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def session_clear_flags(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=pk)
    services.clear_session_flags(actor=Actor.of(request.user), session=session)
    messages.success(request, f"Flags cleared on: {session}")
    return redirect(f"{reverse('education:sessions')}?flagged=1")


# --- Surveys --------------------------------------------------------------------------------------


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    context = {"surveys": Survey.objects.all(), "nav": "education"}
    return render(request, "education/surveys.html", context)


def _group_choice(request, survey) -> str:
    by = request.GET.get("by", "")
    allowed = {analysis.AGE_BAND} | {q.code for q in survey.questions.exclude(kind="scale")}
    return by if by in allowed else ""


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    by = _group_choice(request, survey)
    results = analysis.survey_report(survey, by=by)
    overall = [r for r in results if not r.group]
    grouped = [r for r in results if r.group]
    context = {
        "survey": survey,
        "overall": [(r, analysis.bar_chart_svg(r)) for r in overall],
        "grouped": grouped,
        "by": by,
        "group_options": [("age_band", "Age band")]
        + [(q.code, q.text) for q in survey.questions.exclude(kind="scale")],
        "responses": survey.responses.count(),
        "min_group": analysis.MIN_GROUP,
        "links": survey.links.select_related("session__organisation"),
        "may_manage": has_capability(request.user, Capability.MANAGE_EDUCATION),
        "recent_sessions": Session.objects.select_related("organisation")[:30],
        "nav": "education",
    }
    return render(request, "education/survey_results.html", context)


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Exports are CSV or XLSX")
    survey = get_object_or_404(Survey, pk=pk)
    results = analysis.survey_report(survey, by=_group_choice(request, survey))
    stem = f"survey-{survey.pk}-results"
    if fmt == "xlsx":
        response = HttpResponse(
            analysis.to_xlsx(results, title=survey.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    else:
        response = HttpResponse(analysis.to_csv(results), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)

    def importer(data, name):
        count = surveys.import_responses_csv(actor=Actor.of(request.user), survey=survey, data=data, filename=name)
        return f"{count} paper responses imported from {name}"

    context = {"survey": survey, "columns": surveys.response_columns(survey)}
    response = _upload(request, template="education/survey_import.html", context=context, importer=importer)
    return response or redirect("education:survey", pk=survey.pk)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    opening = request.POST.get("open") == "1"
    surveys.set_survey_open(actor=Actor.of(request.user), survey=survey, open=opening)
    messages.success(
        request, "Survey opened: the links take responses" if opening else "Survey closed to new responses"
    )
    return redirect("education:survey", pk=survey.pk)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def survey_link(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    session = get_object_or_404(Session, pk=request.POST.get("session") or 0)
    SurveyLink.objects.get_or_create(survey=survey, session=session)
    messages.success(request, f"Survey link ready for {session.organisation}")
    return redirect("education:survey", pk=survey.pk)


# --- Courses --------------------------------------------------------------------------------------


@require_capability(Capability.VIEW_EDUCATION)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    rows = [(c, courses.places_left(c)) for c in Course.objects.all()]
    return render(request, "education/courses.html", {"rows": rows, "nav": "education"})


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    if request.method == "POST":
        ids = {int(i) for i in request.POST.getlist("attended") if i.isdigit()}
        count = courses.record_attendance(actor=Actor.of(request.user), course=course, attended_ids=ids)
        messages.success(request, f"Register saved: {count} attended")
        return redirect("education:course", pk=course.pk)
    bookings = course.bookings.order_by("status", "booked_at", "id")
    # Bookers' names and emails are personal data: reading the list is logged like any consultation.
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(request.user),
        obj=course,
        detail={"bookings_listed": len(bookings)},
    )
    context = {
        "course": course,
        "confirmed": [b for b in bookings if b.status == BookingStatus.CONFIRMED],
        "waiting": [b for b in bookings if b.status == BookingStatus.WAITING],
        "cancelled": [b for b in bookings if b.status == BookingStatus.CANCELLED],
        "places_left": courses.places_left(course),
        "nav": "education",
    }
    return render(request, "education/course_detail.html", context)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def course_cancel_booking(request: HttpRequest, pk: int, booking_pk: int) -> HttpResponse:
    booking = get_object_or_404(Booking, pk=booking_pk, course_id=pk)
    try:
        promoted = courses.cancel_booking(booking=booking, actor=Actor.of(request.user))
    except courses.BookingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Booking cancelled{f'; {promoted.name} moved off the waiting list' if promoted else ''}"
        )
    return redirect("education:course", pk=pk)


# --- Trainers and course set-up -------------------------------------------------------------------


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def trainer_list(request: HttpRequest) -> HttpResponse:
    form = TrainerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        trainer = services.register_trainer(
            actor=Actor.of(request.user),
            name=data["name"],
            email=data["email"],
            kind=data["kind"],
            region=data["region"],
            user=data["username"],
        )
        messages.success(request, f"{trainer.name} registered. Accredit them once they have done the course.")
        return redirect("education:trainers")
    today = timezone.localdate()
    context = {
        "trainers": Trainer.objects.all(),
        "today": today,
        "form": form,
        "accredit_form": AccreditForm(initial={"on": today.strftime("%d/%m/%Y")}),
        "nav": "education",
    }
    return render(request, "education/trainers.html", context, status=400 if form.errors else 200)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def trainer_accredit(request: HttpRequest, pk: int) -> HttpResponse:
    trainer = get_object_or_404(Trainer, pk=pk)
    form = AccreditForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{trainer.name} not accredited: {form.errors['on'][0]}")
        return redirect("education:trainers")
    services.accredit_trainer(actor=Actor.of(request.user), trainer=trainer, on=form.cleaned_data["on"])
    messages.success(request, f"{trainer.name} accredited until {trainer.accreditation_expires_on:%d %B %Y}")
    return redirect("education:trainers")


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        course = Course.objects.create(**form.cleaned_data)
        messages.success(request, f"Course added: it is open for booking at {reverse('education_public:courses')}")
        return redirect("education:course", pk=course.pk)
    return render(request, "education/course_new.html", {"form": form, "nav": "education"})


@require_capability(Capability.MANAGE_EDUCATION)
@require_http_methods(["GET", "POST"])
def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        programme = services.create_programme(actor=Actor.of(request.user), **form.cleaned_data)
        messages.success(request, f"Programme added: {programme.name}. Add the first version of its materials.")
        return redirect("education:programmes")
    context = {
        "programmes": Programme.objects.prefetch_related("versions"),
        "form": form,
        "version_form": MaterialVersionForm(),
        "nav": "education",
    }
    return render(request, "education/programmes.html", context, status=400 if form.errors else 200)


@require_capability(Capability.MANAGE_EDUCATION)
@require_POST
def programme_version(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(Programme, pk=pk)
    form = MaterialVersionForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"Version not added to {programme}: {problems}")
        return redirect("education:programmes")
    try:
        services.release_version(actor=Actor.of(request.user), programme=programme, **form.cleaned_data)
    except ValueError as exc:
        messages.error(request, f"Version not added: {exc}")
    else:
        messages.success(request, f"{programme} version {form.cleaned_data['version']} added")
    return redirect("education:programmes")
