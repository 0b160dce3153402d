"""How one report is counted: its source group, online environment, activity, victim age band, area and platform.

Every figure in the threat assessment is a count of reports along these dimensions, and this module is the
only place that decides which bucket a report falls in (the rollup and the independent rebuild in the tests
both call `classify`). The rules, and why (docs/adr/0080):

- Source group: the public form splits by who reported (a young person, a parent or other adult, a
  professional); industry partners and international referrals are their own groups.
- Environment: what the reporter chose; for partner reports, the kind of `internetDetails` they sent
  (a gaming incident is online gaming, a phone incident is mobile, and so on).
- Activity: a report can name several things; it is counted once, under the most serious one, so that every
  breakdown adds up to the number of reports (order in `ACTIVITY_SEVERITY`).
- Age band: the youngest victim age a partner gave; a young person reporting for themselves is "under 18,
  age not given"; otherwise not known.
- Area: a UK region (the education app's regions) when the report names one, "outside the UK" when a partner's
  estimated location is another country, else not known.
"""

from dataclasses import dataclass

from django.db import models

from safeguard.education.models import Region
from safeguard.reporting import partner_payload
from safeguard.reporting.models import Category, ReporterRole
from safeguard.reporting.models import Environment as ReportEnvironment
from safeguard.reporting.models import Source as ReportSource


class SourceGroup(models.TextChoices):
    CHILDREN = "children", "Children and young people"
    ADULTS = "adults", "Parents, carers and other adults"
    PROFESSIONALS = "professionals", "Professionals"
    INDUSTRY = "industry", "Industry partners"
    INTERNATIONAL = "international", "International referrals"
    OTHER = "other", "Other (Most Wanted sightings)"


class Environment(models.TextChoices):
    CHAT_ROOM = "chat_room", "Chat room"
    INSTANT_MESSAGING = "instant_messaging", "Instant messaging"
    ONLINE_GAME = "online_game", "Online gaming"
    SOCIAL_NETWORK = "social_network", "Social network"
    VIDEO_CHAT = "video_chat", "Video chat"
    EMAIL = "email", "Email"
    MOBILE = "mobile", "Mobile"
    PEER_TO_PEER = "peer_to_peer", "Peer-to-peer"
    WEB_PAGE = "web_page", "Web page"
    OTHER = "other", "Other or not known"


class Activity(models.TextChoices):
    GROOMING = "grooming", "Grooming"
    IMAGE_REQUESTS = "image_requests", "Requests for images"
    SEXTORTION = "sextortion", "Sextortion"
    ABUSE_MATERIAL = "abuse_material", "Sharing of abuse material"
    OFFLINE_MEETING = "offline_meeting", "Offline meeting"
    OTHER = "other", "Other"


class AgeBand(models.TextChoices):
    UNDER_11 = "0-10", "Under 11"
    AGE_11_13 = "11-13", "11 to 13"
    AGE_14_15 = "14-15", "14 to 15"
    AGE_16_17 = "16-17", "16 to 17"
    UNDER_18 = "under_18", "Under 18, age not given"
    UNKNOWN = "unknown", "Not known"


OUTSIDE_UK = "outside_uk"
UNKNOWN_AREA = "unknown"
AREA_LABELS = {**dict(Region.choices), OUTSIDE_UK: "Outside the UK", UNKNOWN_AREA: "Not known"}

# Most serious first: a report naming several is counted under the first of these it names.
ACTIVITY_SEVERITY = [
    Activity.ABUSE_MATERIAL,
    Activity.SEXTORTION,
    Activity.OFFLINE_MEETING,
    Activity.IMAGE_REQUESTS,
    Activity.GROOMING,
    Activity.OTHER,
]

_CATEGORY_ACTIVITY = {
    Category.KEEP_SECRET: Activity.GROOMING,
    Category.SENT_SEXUAL_CONTENT: Activity.GROOMING,
    Category.MEET_UP: Activity.OFFLINE_MEETING,
    Category.ASKED_FOR_IMAGES: Activity.IMAGE_REQUESTS,
    Category.THREATENED_TO_SHARE: Activity.SEXTORTION,
    Category.SOMETHING_ELSE: Activity.OTHER,
}
_PARTNER_ACTIVITY = {
    # incident types
    "child_sexual_abuse_material": Activity.ABUSE_MATERIAL,
    "online_enticement_of_children": Activity.GROOMING,
    "unsolicited_obscene_material_sent_to_child": Activity.GROOMING,
    "child_sexual_molestation": Activity.OFFLINE_MEETING,
    "child_sex_trafficking": Activity.OFFLINE_MEETING,
    "child_sex_tourism": Activity.OFFLINE_MEETING,
    # annotations
    "sextortion": Activity.SEXTORTION,
    "solicitation_of_images": Activity.IMAGE_REQUESTS,
    "offline_meeting_proposed": Activity.OFFLINE_MEETING,
    "asked_to_keep_secret": Activity.GROOMING,
}
_PARTNER_ENVIRONMENT = [  # first present wins
    ("onlineGamingIncident", Environment.ONLINE_GAME),
    ("chatImIncident", Environment.INSTANT_MESSAGING),
    ("cellPhoneIncident", Environment.MOBILE),
    ("peer2peerIncident", Environment.PEER_TO_PEER),
    ("emailIncident", Environment.EMAIL),
    ("webPageIncident", Environment.WEB_PAGE),
]
_ENVIRONMENT_VALUES = frozenset(Environment.values)  # enum .values builds a list on every call: hoisted
_REGION_BY_TEXT = {label.casefold(): value for value, label in Region.choices} | {v: v for v in Region.values}


@dataclass(frozen=True)
class Facets:
    source: str
    environment: str
    activity: str
    age_band: str
    area: str
    platform: str  # as written, whitespace tidied; "" when not given


def source_group(source: str, reporter_role: str) -> str:
    if source == ReportSource.PARTNER_API:
        return SourceGroup.INDUSTRY
    if source == ReportSource.REFERRAL:
        return SourceGroup.INTERNATIONAL
    if source == ReportSource.PUBLIC_WEB:
        if reporter_role == ReporterRole.YOUNG_PERSON:
            return SourceGroup.CHILDREN
        if reporter_role == ReporterRole.PROFESSIONAL:
            return SourceGroup.PROFESSIONALS
        return SourceGroup.ADULTS
    return SourceGroup.OTHER


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def age_band_of(age: int | None) -> str:
    if age is None:
        return AgeBand.UNKNOWN
    if age <= 10:
        return AgeBand.UNDER_11
    if age <= 13:
        return AgeBand.AGE_11_13
    if age <= 15:
        return AgeBand.AGE_14_15
    return AgeBand.AGE_16_17


def region_of(text) -> str | None:
    if not isinstance(text, str):
        return None
    return _REGION_BY_TEXT.get(" ".join(text.split()).casefold())


def classify(
    *,
    source: str,
    reporter_role: str,
    categories,
    environment: str,
    platform_name: str,
    details,
) -> Facets:
    """The buckets one report is counted in. Takes plain values so a bulk read need not build model objects."""
    details = details if isinstance(details, dict) else {}
    payload = partner_payload.payload(details)
    summary = _dict(payload.get("incidentSummary"))
    internet = _dict(payload.get("internetDetails"))

    env = environment if environment in _ENVIRONMENT_VALUES else ""
    if environment == ReportEnvironment.OTHER:
        env = Environment.OTHER
    if not env:
        env = next((e for key, e in _PARTNER_ENVIRONMENT if internet.get(key) is not None), Environment.OTHER)

    named = {_CATEGORY_ACTIVITY.get(c) for c in (categories or []) if isinstance(c, str)}
    incident = summary.get("incidentType")
    named |= {_PARTNER_ACTIVITY.get(incident) if isinstance(incident, str) else None}
    named |= {_PARTNER_ACTIVITY.get(a) for a in _list(summary.get("reportAnnotations")) if isinstance(a, str)}
    activity = next((a for a in ACTIVITY_SEVERITY if a in named), Activity.OTHER)

    victims = [v for v in _list(payload.get("victims")) if isinstance(v, dict)]
    ages = [v["age"] for v in victims if isinstance(v.get("age"), int) and 0 <= v["age"] < 18]
    if ages:
        band = age_band_of(min(ages))
    elif reporter_role == ReporterRole.YOUNG_PERSON:
        band = AgeBand.UNDER_18
    else:
        band = AgeBand.UNKNOWN

    area = region_of(details.get("area"))
    for victim in victims:
        area = area or region_of(victim.get("area"))
    if not area:
        located = _dict(_dict(payload.get("personOrUserReported")).get("estimatedLocation"))
        country = located.get("countryCode")
        area = region_of(located.get("region"))
        if not area and isinstance(country, str) and country not in ("", "GB", "UK"):
            area = OUTSIDE_UK
    named_platform = platform_name or summary.get("platform") or ""
    platform = " ".join(named_platform.split())[:100] if isinstance(named_platform, str) else ""
    return Facets(
        source=source_group(source, reporter_role),
        environment=env,
        activity=activity,
        age_band=band,
        area=area or UNKNOWN_AREA,
        platform=platform,
    )


REPORT_COLUMNS = ("source", "reporter_role", "categories", "environment", "platform_name", "details")
