"""The public report journey: its steps, the draft kept in the session, and what happens on submit.

The draft is `request.session["report_draft"]`, a JSON-serialisable dict:

    {"role": "young_person", "answers": {"danger": {...}, ...}, "uploads": [StoredUpload as dict],
     "partner_context": {...}}   # set by the partner button; never changed here, kept on the report

Views stay thin: they ask this module which page comes next, save answers and submit.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.services import Actor

from . import forms, services, uploads
from .intake import StoredUpload
from .models import ReporterRole, Source
from .references import new_reference
from .services import NewReport

logger = logging.getLogger(__name__)

DRAFT_KEY = "report_draft"
CONFIRMATION_KEY = "report_confirmation"
SEEN_EXIT_HELP_KEY = "seen_exit_help"


@dataclass(frozen=True)
class Step:
    slug: str
    form_class: type[forms.JourneyForm] | None
    template: str
    summary_label: str  # the row's name on check-your-answers
    applies: Callable[[dict], bool] = lambda answers: True  # asked only when this holds for the answers


def _is_professional(answers: dict) -> bool:
    return answers.get("about-you", {}).get("role") == ReporterRole.PROFESSIONAL


def _wants_contact(answers: dict) -> bool:
    return answers.get("contact", {}).get("wants_contact") == forms.WantsContactForm.YES


STEPS: tuple[Step, ...] = (
    Step("about-you", forms.RoleForm, "reporting/steps/role.html", "About you"),
    # The one page a child's journey gained for triage's victim-age factor (issue 20).
    Step("age", forms.AgeForm, "reporting/steps/age.html", "Age"),
    Step(
        "your-organisation",
        forms.OrganisationForm,
        "reporting/steps/organisation.html",
        "Your organisation",
        applies=_is_professional,
    ),
    Step("danger", forms.DangerForm, "reporting/steps/danger.html", "Child in danger now"),
    Step("what-happened", forms.CategoriesForm, "reporting/steps/categories.html", "What happened"),
    Step("where", forms.WhereForm, "reporting/steps/where.html", "Where it happened"),
    Step("who", forms.WhoForm, "reporting/steps/who.html", "About the person"),
    Step("when", forms.WhenForm, "reporting/steps/when.html", "When it happened"),
    Step("your-words", forms.AccountForm, "reporting/steps/account.html", "In your own words"),
    Step("screenshots", None, "reporting/steps/screenshots.html", "Screenshots"),
    Step("contact", forms.WantsContactForm, "reporting/steps/contact.html", "Contact"),
    # GOV.UK: a follow-up question with several parts goes on the next page, not in a conditional reveal.
    Step(
        "contact-details",
        forms.ContactDetailsForm,
        "reporting/steps/contact_details.html",
        "Contact details",
        applies=_wants_contact,
    ),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
SLUGS = [step.slug for step in STEPS]


# --- the draft ----------------------------------------------------------------------------------


def get_draft(session: SessionBase) -> dict:
    draft = session.get(DRAFT_KEY)
    if not isinstance(draft, dict):
        draft = {}
    draft.setdefault("answers", {})
    draft.setdefault("uploads", [])
    return draft


def save_draft(session: SessionBase, draft: dict) -> None:
    session[DRAFT_KEY] = draft
    session.modified = True


def role_of(draft: dict) -> str:
    return draft.get("answers", {}).get("about-you", {}).get("role", "")


def save_answer(session: SessionBase, slug: str, answer: dict) -> dict:
    draft = get_draft(session)
    draft["answers"][slug] = answer
    if slug == "contact" and not _wants_contact(draft["answers"]):
        draft["answers"].pop("contact-details", None)  # they chose to stay anonymous: keep nothing
    if slug == "about-you":
        draft["role"] = answer["role"]
        age = draft["answers"].get("age", {})
        if answer["role"] == ReporterRole.YOUNG_PERSON and age.get("age_answer") == forms.AgeForm.NOT_SURE:
            draft["answers"].pop("age")  # "Not sure" of your own age is not offered: ask again, in their words
    save_draft(session, draft)
    return draft


def draft_uploads(draft: dict) -> list[StoredUpload]:
    return [uploads.from_session(item) for item in draft.get("uploads", [])]


def add_upload(session: SessionBase, upload: StoredUpload) -> None:
    draft = get_draft(session)
    draft["uploads"].append(uploads.to_session(upload))
    save_draft(session, draft)


def remove_upload(session: SessionBase, stored_name: str) -> bool:
    draft = get_draft(session)
    keep: list[dict] = []
    gone: list[dict] = []
    for item in draft["uploads"]:
        (gone if item["stored_name"] == stored_name else keep).append(item)
    if not gone:
        return False
    uploads.discard_pending([uploads.from_session(item) for item in gone])
    draft["uploads"] = keep
    save_draft(session, draft)
    return True


def set_partner_context(session: SessionBase, context: dict) -> None:
    """Keep partner-verified context (from the Report Abuse button) with the draft, to go on the report.

    The start view is the place to call this, once the `?ctx=` token has been verified.
    """
    draft = get_draft(session)
    draft["partner_context"] = context
    save_draft(session, draft)


def abandon_draft(session: SessionBase) -> None:
    """Forget the draft and its pending files (used when a bot fills in the honeypot)."""
    draft = get_draft(session)
    uploads.discard_pending(draft_uploads(draft))
    session.pop(DRAFT_KEY, None)


# --- where to go --------------------------------------------------------------------------------


def step_url(slug: str, *, change: bool = False) -> str:
    url = reverse("reporting:step", args=[slug])
    return f"{url}?change=1" if change else url


def applies(draft: dict, slug: str) -> bool:
    return STEPS_BY_SLUG[slug].applies(draft["answers"])


def _applicable(draft: dict) -> list[str]:
    return [slug for slug in SLUGS if applies(draft, slug)]


def first_unanswered(draft: dict, *, before: str | None = None) -> str | None:
    """The first step that applies, before `before` (or anywhere), that has no answer yet."""
    for slug in SLUGS:
        if slug == before:
            return None
        if applies(draft, slug) and slug not in draft["answers"]:
            return slug
    return None


def next_url(draft: dict, slug: str, *, change: bool) -> str:
    """Where a valid answer on `slug` leads. "Yes, a child is in danger" always shows 999 first."""
    if slug == "danger" and danger_now(draft):
        url = reverse("reporting:call_999")
        return f"{url}?change=1" if change else url
    return following_url(draft, slug, change=change)


def following_url(draft: dict, slug: str, *, change: bool) -> str:
    if change:
        missing = first_unanswered(draft)
        return step_url(missing) if missing else reverse("reporting:check_answers")
    later = [s for s in SLUGS[SLUGS.index(slug) + 1 :] if applies(draft, s)]
    return step_url(later[0]) if later else reverse("reporting:check_answers")


def back_url(draft: dict, slug: str, *, change: bool) -> str:
    if change:
        return reverse("reporting:check_answers")
    earlier = [s for s in SLUGS[: SLUGS.index(slug)] if applies(draft, s)]
    return step_url(earlier[-1]) if earlier else reverse("reporting:start")


def last_step_url(draft: dict) -> str:
    return step_url(_applicable(draft)[-1])


def danger_now(draft: dict) -> bool:
    return draft["answers"].get("danger", {}).get("danger_now") == forms.DangerForm.YES


# --- submission ---------------------------------------------------------------------------------


def report_fields(draft: dict) -> dict:
    """Turn the answers into Report fields. Every step must have been answered."""
    answers = draft["answers"]
    danger = answers["danger"]["danger_now"]
    what, where, who = answers["what-happened"], answers["where"], answers["who"]
    when = answers["when"]
    wants_contact = _wants_contact(answers)
    contact = answers.get("contact-details", {}) if wants_contact else {}
    age = answers["age"]
    public_web: dict = {
        "danger_now_answer": danger,
        "child_age": age.get("child_age") if age["age_answer"] == forms.AgeForm.GIVEN else None,
        "child_age_answer": age["age_answer"],
    }
    if _is_professional(answers):
        public_web["professional"] = professional_context(answers)
    details: dict = {"public_web": public_web}
    if "partner_context" in draft:
        details["partner_context"] = draft["partner_context"]
    return {
        "reporter_role": role_of(draft),
        "child_in_danger_now": danger == forms.DangerForm.YES,
        "categories": list(what["categories"]),
        "other_category_detail": what.get("other_category_detail", ""),
        "platform_name": where["platform_name"],
        "environment": where["environment"],
        "subject_identifiers": who.get("subject_identifiers", ""),
        "subject_claimed_age": who.get("subject_claimed_age", ""),
        "incident_date": date.fromisoformat(when["incident_date"]) if when.get("incident_date") else None,
        "incident_when_description": when.get("incident_when_description", ""),
        "account": answers["your-words"]["account"],
        "wants_contact": wants_contact,
        "contact_name": contact.get("contact_name", ""),
        "contact_email": contact.get("contact_email", ""),
        "contact_phone": contact.get("contact_phone", ""),
        "contact_consent": bool(contact.get("contact_consent")),
        "details": details,
    }


def professional_context(answers: dict) -> dict:
    """The "your organisation" answers as stored in details["public_web"]["professional"] (all optional)."""
    organisation = answers.get("your-organisation", {})
    return {
        "organisation": organisation.get("organisation", ""),
        "job_role": organisation.get("job_role", ""),
        "child_setting": organisation.get("child_setting", ""),
        "actions_taken": list(organisation.get("actions_taken", [])),
        "action_other": organisation.get("action_other", ""),
    }


def is_complete(draft: dict) -> bool:
    return first_unanswered(draft) is None


def submit(session: SessionBase) -> NewReport:
    """Send the draft as a report: report, files and audit entry together, or nothing.

    The pending files are copied to their final place first; create_report removes those copies if
    anything fails, and the draft with its pending files stays so the person can try again.
    """
    draft = get_draft(session)
    role = role_of(draft) or ReporterRole.OTHER_ADULT
    pending = draft_uploads(draft)
    final = uploads.promote_pending(pending)
    new = services.create_report(
        # In words, never the stored value ("young_person"): staff read this label on the audit pages.
        actor=Actor(label=f"member of the public ({ReporterRole(role).label.lower()})"),
        source=Source.PUBLIC_WEB,
        fields=report_fields(draft),
        uploads=final,
    )
    uploads.discard_pending(pending)
    session.pop(DRAFT_KEY, None)
    remember_confirmation(session, reference=new.report.reference, secret=new.follow_up_secret, role=role)
    return new


def pretend_submit(session: SessionBase) -> None:
    """A honeypot hit: look exactly like success to the bot, keep nothing."""
    draft = get_draft(session)
    logger.warning(
        "Report form honeypot filled in; nothing stored (answers: %d, files: %d)",
        len(draft["answers"]),
        len(draft["uploads"]),
    )
    role = role_of(draft)
    abandon_draft(session)
    remember_confirmation(session, reference=new_reference(), secret=services.new_follow_up_secret(), role=role)


def secret_shown_for() -> timedelta:
    """How long after sending the secret code can be shown again, in the same session only."""
    return timedelta(minutes=settings.SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES)


def remember_confirmation(session: SessionBase, *, reference: str, secret: str, role: str = "") -> None:
    """Keep what the confirmation page shows. The plain secret lives only here, in the server-side session
    (the database session store: the cookie holds just the session key), and only until `secret_until`."""
    until = timezone.now() + secret_shown_for()
    session[CONFIRMATION_KEY] = {
        "reference": reference,
        "secret": secret,
        "role": role,
        "secret_until": until.timestamp(),
    }


def take_confirmation(session: SessionBase) -> dict | None:
    """The reference, and the secret while its short window lasts; after that the secret is deleted.

    A reload within the window (or a phone that discarded the tab) shows the secret again. After it,
    `secret` is empty and `secret_expired` is true, so the page can say why it is not shown.
    """
    confirmation = session.get(CONFIRMATION_KEY)
    if not confirmation:
        return None
    shown = dict(confirmation)
    until = confirmation.get("secret_until")
    if confirmation.get("secret") and (until is None or timezone.now().timestamp() >= until):
        session[CONFIRMATION_KEY] = {**confirmation, "secret": ""}  # the window is over: forget it for good
        shown["secret"] = ""
    shown["secret_expired"] = not shown["secret"]
    return shown


def secret_shown_minutes() -> int:
    return int(secret_shown_for().total_seconds() // 60)
