"""The public "Report abuse" journey and follow-up pages. Thin: rules live in journey.py and services."""

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import entry_context, follow_up, journey, services, uploads
from .forms import AddInformationForm, FollowUpSignInForm, ScreenshotForm, SubmitForm
from .models import ActionTaken, Category, Environment, ReporterRole
from .public_answers import PROFESSIONAL_LABELS, actions_in_words
from .wording import ENVIRONMENT_HINTS, ROLE_HINTS, ROLE_LABELS, Wording, role_label

logger = logging.getLogger(__name__)


def _report_rate(group, request):
    return settings.SAFEGUARD_REPORT_RATE


def _follow_up_rate(group, request):
    return settings.SAFEGUARD_FOLLOW_UP_RATE


def _options(bound_field, choices, hints=None) -> list[dict]:
    """Radio or checkbox items for the GOV.UK templates, with ids `<field>_<n>` as the error summary expects."""
    value = bound_field.value()
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    return [
        {
            "id": f"{bound_field.auto_id}_{index}",
            "value": choice_value,
            "label": label,
            "hint": (hints or {}).get(choice_value, ""),
            "checked": str(choice_value) in selected,
        }
        for index, (choice_value, label) in enumerate(choices)
    ]


def _too_many_requests(request: HttpRequest, *, answers_kept: bool = False) -> HttpResponse:
    """The friendly 429 page, inside the journey so that Exit this page is still there."""
    w = Wording(journey.role_of(journey.get_draft(request.session)))
    response = render(request, "reporting/rate_limited.html", {"answers_kept": answers_kept, "w": w}, status=429)
    response["Retry-After"] = "3600"
    return response


def _context(request: HttpRequest, draft: dict, **extra) -> dict:
    return {"w": Wording(journey.role_of(draft)), "draft": draft, **extra}


# --- start, exit help, safety --------------------------------------------------------------------


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The start page.

    A partner's Report Abuse button arrives as `/report/?ctx=<token>`: the token is checked by whoever registered
    with `entry_context` (partners), kept in the draft if it verifies, and any notice is shown as `entry_notice`.
    The journey keeps the context untouched and stores it on the report.
    """
    entry_notice = None
    if "ctx" in request.GET:
        # Report Abuse button context: kept only if the partner's signature verifies; a bad or
        # old token is dropped with a notice, never an error (partners.button, ADR 0013).
        context, entry_notice = entry_context.verify(request.GET["ctx"])
        if context is not None:
            journey.set_partner_context(request.session, context)
    seen_help = request.session.get(journey.SEEN_EXIT_HELP_KEY, False)
    start_url = journey.step_url(journey.SLUGS[0]) if seen_help else reverse("reporting:leaving_quickly")
    return render(
        request, "reporting/start.html", {"start_url": start_url, "w": Wording(None), "entry_notice": entry_notice}
    )


@require_GET
def leaving_quickly(request: HttpRequest) -> HttpResponse:
    """The GOV.UK "Exit a page quickly" interruption page, shown before first use of the journey."""
    request.session[journey.SEEN_EXIT_HELP_KEY] = True
    return render(
        request,
        "reporting/leaving_quickly.html",
        {"next_url": journey.step_url(journey.SLUGS[0]), "back_url": reverse("reporting:start")},
    )


@require_GET
def safety(request: HttpRequest) -> HttpResponse:
    w = Wording(journey.role_of(journey.get_draft(request.session)))
    return render(request, "reporting/safety.html", {"back_url": reverse("reporting:start"), "w": w})


# --- question pages ------------------------------------------------------------------------------


AGE_OPTION_WORDS = {"given": "age_given", "not_sure": "age_not_sure", "rather_not_say": "age_rather_not_say"}

STEP_EXTRA: dict[str, Callable[[Any, Wording], dict]] = {
    "about-you": lambda form, w: {
        "options": _options(form["role"], [(r, ROLE_LABELS[r]) for r in ReporterRole.values], ROLE_HINTS)
    },
    "danger": lambda form, w: {
        "options": _options(
            form["danger_now"], [("yes", w["danger_yes"]), ("no", w["danger_no"]), ("not_sure", w["danger_not_sure"])]
        )
    },
    "what-happened": lambda form, w: {
        "options": _options(form["categories"], [(c, w.category_label(c)) for c in Category.values]),
        "something_else": Category.SOMETHING_ELSE.value,
    },
    "where": lambda form, w: {
        "options": _options(
            form["environment"], [(e, w.environment_label(e)) for e in Environment.values], ENVIRONMENT_HINTS
        )
    },
    "contact": lambda form, w: {"options": _options(form["wants_contact"], [("yes", "Yes"), ("no", "No")])},
    "age": lambda form, w: {
        "options": _options(
            form["age_answer"],
            [(value, w[AGE_OPTION_WORDS[value]]) for value, _ in form.fields["age_answer"].choices],
        ),
        "adult_url": journey.step_url("about-you", change=True),
    },
    "your-organisation": lambda form, w: {
        "options": _options(form["actions_taken"], ActionTaken.choices),
        "something_else": ActionTaken.SOMETHING_ELSE.value,
        "nothing_yet": ActionTaken.NOTHING_YET.value,
    },
}


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    spec = journey.STEPS_BY_SLUG.get(slug)
    if spec is None:
        raise Http404("No such question")
    if spec.form_class is None:
        return redirect("reporting:screenshots")
    draft = journey.get_draft(request.session)
    missing = journey.first_unanswered(draft, before=slug)
    if missing:
        return redirect(journey.step_url(missing))
    change = request.GET.get("change") == "1"
    if not journey.applies(draft, slug):
        return redirect(journey.following_url(draft, slug, change=change))

    role = journey.role_of(draft)
    if request.method == "POST":
        form = spec.form_class(data=request.POST, role=role)
        if form.is_valid():
            draft = journey.save_answer(request.session, slug, form.to_answer())
            return redirect(journey.next_url(draft, slug, change=change))
    else:
        # Until answered, a step may be suggested from verified partner button context.
        initial = draft["answers"].get(slug) or entry_context.prefill(draft.get("partner_context"), slug)
        form = spec.form_class(initial=initial, role=role)

    w = Wording(role)
    extra = STEP_EXTRA.get(slug, lambda form, w: {})(form, w)
    return render(
        request,
        spec.template,
        _context(
            request, draft, form=form, back_url=journey.back_url(draft, slug, change=change), change=change, **extra
        ),
    )


@require_GET
def call_999(request: HttpRequest) -> HttpResponse:
    draft = journey.get_draft(request.session)
    if not journey.danger_now(draft):
        return redirect(journey.step_url("danger"))
    change = request.GET.get("change") == "1"
    return render(
        request,
        "reporting/call_999.html",
        _context(
            request,
            draft,
            next_url=journey.following_url(draft, "danger", change=change),
            back_url=journey.step_url("danger", change=change),
        ),
    )


def _add_upload_handler(request: HttpRequest) -> None:
    # Must run before anything reads request.POST, hence csrf_exempt outside and csrf_protect inside.
    # Bounded by the size limit and held in memory only: evidence never reaches disk unsealed.
    uploads.use_memory_only_upload_handlers(request)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def screenshots(request: HttpRequest) -> HttpResponse:
    _add_upload_handler(request)
    return _screenshots(request)


@csrf_protect
def _screenshots(request: HttpRequest) -> HttpResponse:
    draft = journey.get_draft(request.session)
    missing = journey.first_unanswered(draft, before="screenshots")
    if missing:
        return redirect(journey.step_url(missing))
    change = request.GET.get("change") == "1"
    form = ScreenshotForm()

    if request.method == "POST":
        form = ScreenshotForm(data=request.POST, files=request.FILES)
        form.is_valid()
        if remove := request.POST.get("remove"):
            journey.remove_upload(request.session, remove)
            return redirect(request.get_full_path())
        if getattr(request, "upload_too_big", False):
            form.add_error("screenshot", uploads.too_big_message())
        elif upload := request.FILES.get("screenshot"):
            try:
                stored = uploads.store_pending_upload(upload, already_added=len(draft["uploads"]))
            except uploads.UploadRejected as rejected:
                form.add_error("screenshot", str(rejected))
            else:
                journey.add_upload(request.session, stored)
                draft = journey.get_draft(request.session)
        elif request.POST.get("action") == "upload":
            form.add_error("screenshot", "Select a file to add")
        if not form.errors:
            journey.save_answer(request.session, "screenshots", {"seen": True})
            draft = journey.get_draft(request.session)
            if request.POST.get("action") == "upload":
                return redirect(request.get_full_path())  # show the list; they may add more
            return redirect(journey.next_url(draft, "screenshots", change=change))

    max_files = settings.SAFEGUARD_MAX_UPLOADS_PER_REPORT
    w = Wording(journey.role_of(draft))
    return render(
        request,
        "reporting/steps/screenshots.html",
        _context(
            request,
            draft,
            form=form,
            files=draft["uploads"],
            can_add=len(draft["uploads"]) < max_files,
            hint=w["screenshots_hint"].format(
                max_files=max_files, max_size=uploads.human_size(settings.SAFEGUARD_MAX_UPLOAD_BYTES)
            ),
            back_url=journey.back_url(draft, "screenshots", change=change),
            change=change,
        ),
    )


# --- check answers, submit, confirmation ---------------------------------------------------------


def _summary_rows(draft: dict, w: Wording) -> list[dict]:
    a = draft["answers"]
    rows: list[dict] = []

    def row(slug: str, key: str, *lines: str) -> None:
        rows.append({"key": key, "lines": [line for line in lines if line] or ["Not given"], "slug": slug})

    row("about-you", "About you", role_label(journey.role_of(draft)))
    age = a["age"]
    age_words = {"given": age.get("age", ""), "not_sure": w["age_not_sure"], "rather_not_say": w["age_rather_not_say"]}
    row("age", w["age_summary"], age_words.get(age["age_answer"], ""))
    if journey.applies(draft, "your-organisation"):
        found = journey.professional_context(a)
        text = ("organisation", "job_role", "child_setting")
        lines = [f"{PROFESSIONAL_LABELS[key]}: {found[key]}" for key in text if found[key]]
        if found["actions_taken"]:
            lines.append(f"{PROFESSIONAL_LABELS['actions_taken']}: {'; '.join(actions_in_words(found))}")
        row("your-organisation", w["organisation_summary"], *lines)
    danger_words = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
    row("danger", w["danger_question"], danger_words.get(a["danger"]["danger_now"], ""))
    what = a["what-happened"]
    row(
        "what-happened",
        "What happened",
        *[w.category_label(c) for c in what["categories"]],
        what.get("other_category_detail", ""),
    )
    row("where", "Where it happened", a["where"]["platform_name"], w.environment_label(a["where"]["environment"]))
    who = a["who"]
    row(
        "who",
        "About the person",
        who.get("subject_identifiers", ""),
        f"Said they were {who['subject_claimed_age']}" if who.get("subject_claimed_age") else "",
    )
    when = a["when"]
    when_text = ""
    if when.get("incident_date"):
        when_text = date.fromisoformat(when["incident_date"]).strftime("%-d %B %Y")
    row("when", "When it happened", when_text, when.get("incident_when_description", ""))
    row("your-words", "In your own words", a["your-words"]["account"])
    row("screenshots", "Screenshots", *[item["original_name"] for item in draft["uploads"]])
    if a["contact"]["wants_contact"] == "yes":
        row("contact", "Contact", "Yes, you can contact me")
        details = a.get("contact-details", {})
        row(
            "contact-details",
            "Contact details",
            details.get("contact_name", ""),
            details.get("contact_email", ""),
            details.get("contact_phone", ""),
        )
    else:
        row("contact", "Contact", "No, I want to stay anonymous")
    for item in rows:
        item["change_url"] = journey.step_url(item["slug"], change=True)
    return rows


@require_http_methods(["GET", "POST"])
@ratelimit(group="report-submit", key="ip", rate=_report_rate, method="POST", block=False)
def check_answers(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request, answers_kept=True)
    draft = journey.get_draft(request.session)
    if not draft["answers"] and request.session.get(journey.CONFIRMATION_KEY):
        # Sent already (a double click without JavaScript, or Back): never send it twice.
        return redirect("reporting:confirmation")
    missing = journey.first_unanswered(draft)
    if missing:
        return redirect(journey.step_url(missing))

    form = SubmitForm()
    failed = False
    if request.method == "POST":
        if request.POST.get("website"):  # the honeypot: only bots fill it in
            journey.pretend_submit(request.session)
            return redirect("reporting:confirmation")
        form = SubmitForm(data=request.POST)
        if form.is_valid():
            try:
                journey.submit(request.session)
            except Exception:
                logger.exception("A public report could not be saved; the draft is kept for another try")
                failed = True
            else:
                return redirect("reporting:confirmation")

    w = Wording(journey.role_of(draft))
    return render(
        request,
        "reporting/check_answers.html",
        _context(
            request,
            draft,
            form=form,
            rows=_summary_rows(draft, w),
            danger_now=journey.danger_now(draft),
            back_url=journey.last_step_url(draft),
            failed=failed,
        ),
        status=500 if failed else 200,
    )


@require_GET
def confirmation(request: HttpRequest) -> HttpResponse:
    """The reference and secret code, shown again on reload for a short while in the same session.

    With nothing in the session (another device, or after Exit this page flushed it) the page says
    plainly why there is nothing to show and what they can still do.
    """
    shown = journey.take_confirmation(request.session) or {}
    return render(
        request,
        "reporting/confirmation.html",
        {
            "reference": shown.get("reference", ""),
            "secret": shown.get("secret", ""),
            "nothing_to_show": not shown,
            "shown_minutes": journey.secret_shown_minutes(),
            "w": Wording(shown.get("role")),
        },
    )


# --- follow-up -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ratelimit(group="report-follow-up", key="ip", rate=_follow_up_rate, method="POST", block=False)
def follow_up_sign_in(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    if request.method == "GET" and follow_up.authorised_report(request.session) is not None:
        return redirect("reporting:follow_up_report")
    form = FollowUpSignInForm()
    if request.method == "POST":
        form = FollowUpSignInForm(data=request.POST)
        if form.is_valid():
            report = follow_up.sign_in(
                request.session, reference=form.cleaned_data["reference"], secret=form.cleaned_data["secret"]
            )
            if report is not None:
                return redirect("reporting:follow_up_report")
            form.add_error("reference", follow_up.WRONG_DETAILS_MESSAGE)
    return render(request, "reporting/follow_up_sign_in.html", {"form": form, "back_url": reverse("reporting:start")})


@require_http_methods(["GET", "POST"])
@ratelimit(group="report-follow-up", key="ip", rate=_follow_up_rate, method="POST", block=False)
def follow_up_report(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many_requests(request)
    report = follow_up.authorised_report(request.session)
    if report is None:
        return redirect("reporting:follow_up")
    form = AddInformationForm()
    if request.method == "POST":
        form = AddInformationForm(data=request.POST)
        if form.is_valid():
            services.add_information(report=report, text=form.cleaned_data["text"])
            messages.success(request, "Thank you. We have added this to your report.")
            return redirect("reporting:follow_up_report")
    return render(
        request,
        "reporting/follow_up_report.html",
        {
            "form": form,
            "report": report,
            "status_words": follow_up.status_in_words(report),
            "w": Wording(report.reporter_role),
        },
    )


@require_POST
def follow_up_sign_out(request: HttpRequest) -> HttpResponse:
    follow_up.sign_out(request.session)
    return redirect("reporting:start")
