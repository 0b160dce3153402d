"""Staff report pages: the queue, one report, and the changes staff make to it.

Two-factor sign-in is enforced for all of these by accounts.middleware.StaffTwoFactorMiddleware;
roles by `require_capability` here and again in selectors and services.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from safeguard.accounts.http import AuthenticatedHttpRequest
from safeguard.accounts.models import User
from safeguard.accounts.roles import Capability, has_capability, require_capability, staff_home_url_name
from safeguard.reporting import public_answers
from safeguard.reporting import services as reporting_services
from safeguard.subjects.deconfliction import who_to_talk_to
from safeguard.subjects.models import ReportSubject

from . import changes, deadlines, engine, selectors, services
from .forms import QueueFilterForm, StatusChangeForm
from .scoring import FACTORS, FACTORS_BY_NAME

PAGE_SIZE = 25


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """/staff/ itself: people type it in, so a role without the queue is sent to its own home, not a 403."""
    if not has_capability(request.user, Capability.VIEW_REPORT_QUEUE):
        home = staff_home_url_name(request.user)
        if home != "staff:queue":
            return redirect(home)
    return _queue(request)


@require_capability(Capability.VIEW_REPORT_QUEUE)
def _queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET if ("status" in request.GET or "priority" in request.GET) else None)
    status, priority = "", None
    if form.is_bound and form.is_valid():
        status, priority = form.cleaned_data["status"], form.cleaned_data["priority"]
    overdue_only = request.GET.get("overdue") == "1"
    reports = selectors.report_queue(user=request.user, status=status, priority=priority)
    if overdue_only:
        reports = reports.filter(deadlines.overdue_filter())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for report in page.object_list:
        left = deadlines.time_left(report, now)
        # Display-only attributes for the template, set on the page's instances.
        report.time_left_text, report.overdue = deadlines.describe(left), left.total_seconds() < 0  # type: ignore[attr-defined]
    filters = {
        k: v for k, v in (("status", status), ("priority", priority), ("overdue", "1" if overdue_only else "")) if v
    }
    selectors.record_queue_consultation(
        user=request.user, reports=page.object_list, filters=filters, page_number=page.number
    )
    context = {
        "form": form,
        "page": page,
        "filter_query": urlencode(filters),
        "filtered": bool(filters),
        "open_p1": selectors.open_p1_count(user=request.user),
        "overdue_count": selectors.overdue_count(user=request.user),
        "overdue_only": overdue_only,
        "unread_notices": request.user.notifications.filter(read_at__isnull=True).count(),
        "nav": "queue",
    }
    return render(request, "triage/queue.html", context)


def _explained(report, words: dict[str, list[str]]):
    """Each factor that counted with its points under the model in use and the words that made it count, for
    the 'why this priority' panel."""

    found = engine.explain(report)
    if found is None:
        return None
    scored, model = found
    rows = [
        (f.reason, round(scored.points[f.name]), words.get(f.name, [])) for f in FACTORS if scored.points[f.name] > 0
    ]
    return {"score": scored.score, "band": scored.band, "rows": rows, "version": model.number}


def _changes(request, report) -> list[dict]:
    """The report's re-scorings in words: what arrived, the band before and after, and why it moved."""
    shown = []
    for change in selectors.triage_changes(user=request.user, report=report):
        shown.append(
            {
                "change": change,
                "new": change.seen_at is None,
                "added": [
                    (FACTORS_BY_NAME[name].reason, change.words_added.get(name, []))
                    for name in change.factors_added
                    if name in FACTORS_BY_NAME
                ],
                "removed": [FACTORS_BY_NAME[n].reason for n in change.factors_removed if n in FACTORS_BY_NAME],
                "more_words": [
                    (FACTORS_BY_NAME[name].reason, said)
                    for name, said in change.words_added.items()
                    if name in FACTORS_BY_NAME and name not in change.factors_added
                ],
            }
        )
    return shown


# What the public journey itself keeps in details (shown above in words) and demo bookkeeping: not source data.
_OWN_DETAILS = ("public_web", "demo_seed")


def _source_data(report) -> str:
    """Everything a partner, referral or button sent, as it came; "" when the report holds only our own answers."""
    sent = {k: v for k, v in (report.details or {}).items() if k not in _OWN_DETAILS}
    return json.dumps(sent, indent=2, ensure_ascii=False, default=str) if sent else ""


def _render_detail(request, report, *, status_form=None, assign_error="", http_status=200) -> HttpResponse:
    may_assign_others = has_capability(request.user, Capability.ASSIGN_REPORT)
    context = {
        "report": report,
        "details_json": _source_data(report),
        "status_form": status_form or StatusChangeForm(),
        "assign_error": assign_error,
        "may_change": has_capability(request.user, Capability.CHANGE_REPORT),
        "may_take": has_capability(request.user, Capability.ASSIGN_REPORT_TO_SELF),
        "may_assign_others": may_assign_others,
        "assignable": selectors.assignable_staff(user=request.user) if may_assign_others else [],
        "explained": _explained(report, selectors.matched_words(user=request.user, report=report)),
        "triage_changes": _changes(request, report),
        "child_age": public_answers.child_age_in_words(report.details),
        "professional_rows": public_answers.professional_rows(report.details),
        "subject_link": ReportSubject.objects.filter(report=report).select_related("subject").first(),
        "talk_to": who_to_talk_to(report),
        "time_left": deadlines.describe(deadlines.time_left(report)),
        "overdue": deadlines.time_left(report).total_seconds() < 0,
        "nav": "queue",
    }
    return render(request, "triage/report_detail.html", context, status=http_status)


@require_capability(Capability.VIEW_REPORT)
@require_GET
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    found = selectors.find_report(user=request.user, reference=reference)
    if found.reference != reference:  # typed loosely: show it at its proper address (logged there)
        return redirect("staff:report", reference=found.reference)
    report = selectors.consult_report(user=request.user, reference=reference)
    # A person has now read it: the reporter's follow-up page may say so (never before; triage is not reading).
    reporting_services.mark_opened(report=report, user=request.user)
    response = _render_detail(request, report)
    if has_capability(request.user, Capability.CHANGE_REPORT):
        # Shown as new on this page; seen from now on: the queue stops marking it.
        changes.mark_seen(user=request.user, report=report)
    return response


@require_capability(Capability.CHANGE_REPORT)
@require_POST
def change_status(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.find_report(user=request.user, reference=reference, capability=Capability.CHANGE_REPORT)
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        try:
            change = services.change_status(
                user=request.user,
                report=report,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Status changed to ‘{change.get_to_status_display()}’.")
            return redirect("staff:report", reference=report.reference)
    # Show the page again with the person's choices and note kept, and the error explained.
    report = selectors.consult_report(user=request.user, reference=report.reference)
    return _render_detail(request, report, status_form=form, http_status=400)


@require_capability(Capability.ASSIGN_REPORT_TO_SELF)
@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    report = selectors.find_report(user=request.user, reference=reference)
    choice = request.POST.get("assignee", "")
    error = ""
    assignee = None
    if choice == "me":
        assignee = request.user
    elif choice == "none":
        assignee = None
    elif choice.isdigit() and (found := User.objects.filter(pk=int(choice)).first()):
        assignee = found
    else:
        error = "Choose who to assign the report to"
    if not error:
        try:
            services.assign_report(user=request.user, report=report, assignee=assignee)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            who = "you" if assignee == request.user else (assignee.username if assignee else "nobody")
            messages.success(request, f"Report assigned to {who}.")
            return redirect("staff:report", reference=report.reference)
    report = selectors.consult_report(user=request.user, reference=report.reference)
    return _render_detail(request, report, assign_error=error, http_status=400)
