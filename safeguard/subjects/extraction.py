"""Finding identifiers in a report, whatever its source.

Public reports give free text ("subject_identifiers"); partner reports give structured fields, kept whole
in the report's details (read through reporting.partner_payload). Both end up as the same `Found` items.

Each item has a role: `subject` identifiers describe the reported person (and may merge subjects);
`victim`, `room` and `file` items describe who and what the person touched (they connect subjects into
networks, never merge them: two offenders in one room are two people).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from safeguard.reporting import partner_payload
from safeguard.reporting.models import Attachment

from .normalise import STRONG_KINDS, Kind, identifier_key, normalise, normalise_platform


class Role:
    SUBJECT = "subject"
    VICTIM = "victim"
    ROOM = "room"
    FILE = "file"


@dataclass(frozen=True)
class Found:
    role: str
    kind: Kind
    raw: str
    platform: str
    value: str
    valid: bool
    problem: str
    observed_at: datetime | None = None
    detail: str = ""

    @property
    def strong(self) -> bool:
        return self.role == Role.SUBJECT and self.kind in STRONG_KINDS

    @property
    def mergeable(self) -> bool:
        return self.strong and self.valid

    @property
    def key(self) -> str:
        return identifier_key(self.kind, self.platform, self.value) if self.value else ""


def make(role: str, kind: Kind, raw, platform: str = "", **extra) -> Found:
    raw = str(raw)[:2000]
    result = normalise(kind, raw)
    return Found(
        role=role,
        kind=kind,
        raw=raw,
        platform=platform,
        value=result.value[:500],
        valid=result.valid,
        problem=result.problem,
        **extra,
    )


# --- free text -----------------------------------------------------------------------------------------

_EMAIL_IN_TEXT = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_PHONE_IN_TEXT = re.compile(r"(?<![\w@/])\+?\d[\d\s().-]{6,18}\d(?![\w@])")
_HANDLE_IN_TEXT = re.compile(r"(?<![\w@.])@([^\s@,;:()<>\"']{1,100})")
_LABELLED = re.compile(
    r"^\s*(user ?name|username|screen ?name|handle|gamertag|account|snap(?:chat)?|insta(?:gram)?)\s*[:=-]\s*(\S+)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_IP_IN_TEXT = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def from_free_text(text: str, *, platform: str) -> list[Found]:
    found: list[Found] = []
    text = text or ""
    emails = _EMAIL_IN_TEXT.findall(text)
    for email in emails:
        found.append(make(Role.SUBJECT, Kind.EMAIL, email.strip(".")))
    rest = _EMAIL_IN_TEXT.sub(" ", text)
    for url in _URL_IN_TEXT.findall(rest):
        found.append(make(Role.SUBJECT, Kind.URL, url))
    rest = _URL_IN_TEXT.sub(" ", rest)
    for handle in _HANDLE_IN_TEXT.findall(rest):
        found.append(make(Role.SUBJECT, Kind.USERNAME, handle, platform))
    for _label, name in _LABELLED.findall(rest):
        if not name.startswith("@"):
            found.append(make(Role.SUBJECT, Kind.USERNAME, name, platform))
    for ip in _IP_IN_TEXT.findall(rest):
        found.append(make(Role.SUBJECT, Kind.IP, ip))
    rest = _IP_IN_TEXT.sub(" ", rest)
    for phone in _PHONE_IN_TEXT.findall(rest):
        found.append(make(Role.SUBJECT, Kind.PHONE, phone))
    return found


# --- partner payload -----------------------------------------------------------------------------------


def _when(text) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def from_partner_payload(payload: dict, *, platform: str) -> list[Found]:
    found: list[Found] = []
    person = payload.get("personOrUserReported") or {}
    service = normalise_platform(person.get("espService") or "") or platform
    if person.get("espIdentifier"):
        found.append(make(Role.SUBJECT, Kind.PLATFORM_ID, person["espIdentifier"], service))
    if person.get("screenName"):
        found.append(make(Role.SUBJECT, Kind.USERNAME, person["screenName"], service))
    for name in person.get("displayNames", []):
        found.append(make(Role.SUBJECT, Kind.DISPLAY_NAME, name, service))
    for url in person.get("profileUrls", []):
        found.append(make(Role.SUBJECT, Kind.URL, url))
    for email in person.get("emails", []):
        found.append(make(Role.SUBJECT, Kind.EMAIL, email))
    for phone in person.get("phones", []):
        found.append(make(Role.SUBJECT, Kind.PHONE, phone))
    for device in person.get("deviceIds", []):
        found.append(make(Role.SUBJECT, Kind.DEVICE_ID, device))
    for account in person.get("associatedAccounts", []):
        # Another account the platform links to the person, often on another service: platform unknown.
        found.append(make(Role.SUBJECT, Kind.USERNAME, account, "associated"))
    for event in person.get("ipCaptureEvents", []):
        found.append(
            make(
                Role.SUBJECT,
                Kind.IP,
                event.get("ipAddress", ""),
                observed_at=_when(event.get("dateTime")),
                detail=str(event.get("eventName") or ""),
            )
        )
    for victim in payload.get("victims", []):
        if victim.get("espIdentifier"):
            found.append(make(Role.VICTIM, Kind.PLATFORM_ID, victim["espIdentifier"], service))
        if victim.get("screenName"):
            found.append(make(Role.VICTIM, Kind.USERNAME, victim["screenName"], service))
    internet = payload.get("internetDetails") or {}
    chat = internet.get("chatImIncident") or {}
    if chat.get("chatRoomName"):
        found.append(
            make(
                Role.ROOM, Kind.ROOM, chat["chatRoomName"], normalise_platform(chat.get("chatClient") or "") or service
            )
        )
    for url in (internet.get("webPageIncident") or {}).get("urls", []):
        found.append(make(Role.ROOM, Kind.URL, url))
    phone = (internet.get("cellPhoneIncident") or {}).get("phoneNumber")
    if phone:
        found.append(make(Role.SUBJECT, Kind.PHONE, phone))
    for email in (internet.get("emailIncident") or {}).get("emailAddresses", []):
        found.append(make(Role.SUBJECT, Kind.EMAIL, email))
    return found


def _attachment_hashes(report_id: int) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:  # plain SQL: this runs for every report, on the linking hot path
        cursor.execute(f"SELECT sha256 FROM {Attachment._meta.db_table} WHERE report_id = %s", [report_id])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def from_report(report) -> list[Found]:
    """Every identifier in the report, de-duplicated (same role, kind, platform and value once)."""
    platform = normalise_platform(report.platform_name)
    payload = partner_payload.payload(report.details)
    if payload:
        found = from_partner_payload(payload, platform=platform)
        for file in partner_payload.files(report.details):
            if file.get("sha256"):
                found.append(make(Role.FILE, Kind.FILE_HASH, file["sha256"]))
            file_hash = (file.get("details") or {}).get("originalFileHash")
            if file_hash:
                found.append(make(Role.FILE, Kind.FILE_HASH, file_hash))
    else:
        found = from_free_text(report.subject_identifiers, platform=platform)
    if report.pk:
        for sha256 in _attachment_hashes(report.pk):
            found.append(make(Role.FILE, Kind.FILE_HASH, sha256))
    unique: dict[tuple, Found] = {}
    for item in found:
        ident = (item.role, item.kind, item.platform, item.value or item.raw)
        unique.setdefault(ident, item)
    return list(unique.values())
