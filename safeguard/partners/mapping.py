"""Turn a partner's report document into the centre's Report fields.

The whole document is kept in Report.details["partner_api"]; the fields mapped here are what the
triage queue and caseworkers read first.
"""

from datetime import date

from safeguard.reporting import partner_payload
from safeguard.reporting.models import Category, Environment

from .models import Partner

ANNOTATION_CATEGORIES = {
    "sextortion": Category.THREATENED_TO_SHARE,
    "solicitation_of_images": Category.ASKED_FOR_IMAGES,
    "offline_meeting_proposed": Category.MEET_UP,
    "asked_to_keep_secret": Category.KEEP_SECRET,
}
INCIDENT_CATEGORIES = {
    "unsolicited_obscene_material_sent_to_child": Category.SENT_SEXUAL_CONTENT,
    "child_sexual_abuse_material": Category.SENT_SEXUAL_CONTENT,
}


def _environment(internet: dict) -> str:
    if internet.get("onlineGamingIncident"):
        return Environment.ONLINE_GAME
    chat = internet.get("chatImIncident")
    if chat is not None:
        return Environment.CHAT_ROOM if chat.get("chatRoomName") else Environment.INSTANT_MESSAGING
    if internet.get("emailIncident"):
        return Environment.EMAIL
    return Environment.OTHER if internet else ""


def _categories(summary: dict) -> list[str]:
    found = [ANNOTATION_CATEGORIES[a] for a in summary.get("reportAnnotations", []) if a in ANNOTATION_CATEGORIES]
    if summary["incidentType"] in INCIDENT_CATEGORIES:
        found.append(INCIDENT_CATEGORIES[summary["incidentType"]])
    unique = list(dict.fromkeys(str(c) for c in found))
    return unique or [str(Category.SOMETHING_ELSE)]


def _identifiers(person: dict) -> str:
    lines = []
    for label, key in (("Platform id", "espIdentifier"), ("Screen name", "screenName")):
        if person.get(key):
            lines.append(f"{label}: {person[key]}")
    for label, key in (
        ("Display name", "displayNames"),
        ("Profile", "profileUrls"),
        ("Email", "emails"),
        ("Phone", "phones"),
        ("Device", "deviceIds"),
        ("Associated account", "associatedAccounts"),
    ):
        lines.extend(f"{label}: {value}" for value in person.get(key, []))
    return "\n".join(lines)[:2000]


def report_fields(*, partner: Partner, payload: dict, partner_report_id: str, files: list[dict]) -> dict:
    """Report model fields for a validated payload (as produced by ReportIn.model_dump(mode="json"))."""
    summary = payload["incidentSummary"]
    internet = payload.get("internetDetails") or {}
    person = payload.get("personOrUserReported") or {}
    contact = payload.get("reporterContact") or {}
    escalated = bool(summary.get("escalateToHighPriority"))
    return {
        "platform_name": (summary.get("platform") or partner.name)[:200],
        "environment": _environment(internet),
        "categories": _categories(summary),
        "other_category_detail": summary["incidentType"].replace("_", " ")[:500],
        "subject_identifiers": _identifiers(person),
        "incident_date": date.fromisoformat(summary["incidentDateTime"][:10]),
        "incident_when_description": (summary.get("incidentDateTimeDescription") or "")[:500],
        "account": (payload.get("additionalInfo") or "")[:10000],
        "wants_contact": bool(contact),
        "contact_name": (contact.get("name") or "")[:200],
        "contact_email": (contact.get("email") or "")[:254],
        "contact_phone": (contact.get("phone") or "")[:40],
        "details": {
            # Read by triage.priority so an escalated report stays P1 when re-scored later.
            "partner_escalated": escalated,
            **partner_payload.entry(
                partner=partner.slug, partner_report_id=partner_report_id, payload=payload, files=files
            ),
        },
    }
