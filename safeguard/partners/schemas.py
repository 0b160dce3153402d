"""The reporting API's request and response documents.

Field names follow the tipline convention partners already implement (camelCase, sections
`incidentSummary`, `internetDetails`, `personOrUserReported`, `victims`, ...). Every schema forbids
unknown fields: a misspelt field is an error with its path, never silently dropped.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, GetPydanticSchema, StrictBool, WithJsonSchema, model_validator
from pydantic_core import core_schema

# No NUL anywhere: PostgreSQL cannot store it (text or jsonb), so it must be refused as bad input
# (422), not fail as a 500 at the database. (Unpaired surrogates, which PostgreSQL refuses too, are
# already rejected by pydantic as invalid Unicode.) Explicit character classes rather than \s / \S:
# JSON Schema, Python and pydantic's regex engines disagree on whitespace, and the documented schema
# must mean exactly what is enforced.
_PLAIN = r"^[^\x00]*$"
_NO_SPACE = r"[^@\x00-\x20\x7f]"

# --- strict scalar types (ADR 0104) ------------------------------------------------------------------
# Every input field is exactly the JSON type its schema declares: a boolean is true or false (not 0,
# "true", "yes"), a string is a string, an integer is a JSON number with no fractional part (not "5",
# not true, not 5.5). Pydantic's lax mode would coerce all of those. The models stay in lax mode and
# each scalar is strict on its own, because strict *models* refuse ISO-8601 strings for dates in Python
# mode (how django-ninja validates a body), and JSON has no date type. Dates and date-times are strings,
# checked for their ISO-8601 shape first, so neither a number nor a string of digits (which lax mode
# reads as a Unix time) is taken for one.
# One deliberate exception to "exactly": 5.0 is the integer 5. The document is OpenAPI 3.1, whose JSON
# Schema (2020-12) defines an integer as any number with a zero fractional part, so 5.0 *is* valid
# against `type: integer`, and schemathesis sends it to check that the server agrees with its own
# document. Refusing it would make the API break its published contract (ADR 0104).
# All of this is pydantic-core (Rust): no Python validator on the hot path. A test walks every input
# model's core schema and fails on any scalar that is not strict.
# StrictBool is pydantic's; constrained strings say Field(strict=True).

_ISO_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _iso_string(shape: str, error_type: str, message: str) -> GetPydanticSchema:
    """A date/datetime that must arrive as a string of ISO-8601 shape, then parsed as pydantic does."""

    def schema(source, handler):
        parse = core_schema.chain_schema([core_schema.str_schema(strict=True, pattern=shape), handler(source)])
        return core_schema.custom_error_schema(parse, custom_error_type=error_type, custom_error_message=message)

    return GetPydanticSchema(schema)


IsoDateTime = Annotated[
    datetime,
    _iso_string(
        _ISO_DATETIME, "iso_datetime", "Input should be an ISO-8601 date-time string, e.g. 2026-11-20T18:30:00Z"
    ),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
IsoDate = Annotated[
    date,
    _iso_string(_ISO_DATE, "iso_date", "Input should be an ISO-8601 date string, e.g. 2013-05-01"),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def whole_number(*, ge: int, le: int):
    """An integer between ge and le: a JSON number with no fractional part (5 or 5.0), never "5" or true."""

    def schema(source, handler):
        number = core_schema.union_schema(
            [core_schema.int_schema(strict=True), core_schema.float_schema(strict=True)],
            custom_error_type="int_type",  # pydantic's own: "Input should be a valid integer"
        )
        return core_schema.chain_schema([number, core_schema.int_schema(ge=ge, le=le)])

    return Annotated[int, GetPydanticSchema(schema), WithJsonSchema({"type": "integer", "minimum": ge, "maximum": le})]


Text = Annotated[str, Field(strict=True, min_length=1, max_length=500, pattern=_PLAIN)]
LongText = Annotated[str, Field(strict=True, max_length=10_000, pattern=_PLAIN)]
Email = Annotated[str, Field(strict=True, min_length=3, max_length=254, pattern=rf"^{_NO_SPACE}+@{_NO_SPACE}+$")]
Phone = Annotated[str, Field(strict=True, min_length=3, max_length=40, pattern=r"^[0-9+()\-. ]+$")]
Url = Annotated[str, Field(strict=True, min_length=8, max_length=2000, pattern=rf"^https?://{_NO_SPACE}+$")]
Short = Annotated[str, Field(strict=True, min_length=1, max_length=200, pattern=_PLAIN)]


class Strict(BaseModel):
    # Plain pydantic rather than ninja.Schema: ninja's Schema adds a Python-level validator to every
    # nested model (to read Django objects), which costs more than the rest of validation together.
    model_config = ConfigDict(extra="forbid")


class IncidentType(StrEnum):
    CSAM_POSSESSION_MANUFACTURE_DISTRIBUTION = "child_sexual_abuse_material"
    CHILD_SEX_TRAFFICKING = "child_sex_trafficking"
    CHILD_SEX_TOURISM = "child_sex_tourism"
    CHILD_SEXUAL_MOLESTATION = "child_sexual_molestation"
    MISLEADING_DOMAIN_NAME = "misleading_domain_name"
    MISLEADING_WORDS_OR_IMAGES = "misleading_words_or_digital_images"
    ONLINE_ENTICEMENT = "online_enticement_of_children"
    UNSOLICITED_OBSCENE_MATERIAL = "unsolicited_obscene_material_sent_to_child"


class Annotation(StrEnum):
    SEXTORTION = "sextortion"
    SOLICITATION_OF_IMAGES = "solicitation_of_images"
    MINOR_TO_MINOR = "minor_to_minor"
    OFFLINE_MEETING_PROPOSED = "offline_meeting_proposed"
    ASKED_TO_KEEP_SECRET = "asked_to_keep_secret"  # noqa: S105 - a category, not a password
    SPAM = "spam"
    SADISTIC_ONLINE_EXPLOITATION = "sadistic_online_exploitation"
    INFORMATIONAL = "informational"


ESCALATION_NEEDS_REASON = {
    "if": {"properties": {"escalateToHighPriority": {"const": True}}, "required": ["escalateToHighPriority"]},
    "then": {"required": ["escalationReason"], "properties": {"escalationReason": {"type": "string", "minLength": 1}}},
}


class IncidentSummary(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra=ESCALATION_NEEDS_REASON)

    incidentType: IncidentType
    incidentDateTime: IsoDateTime
    incidentDateTimeDescription: LongText | None = None
    platform: Short | None = None
    escalateToHighPriority: StrictBool = False
    escalationReason: LongText | None = None
    reportAnnotations: list[Annotation] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _escalation_needs_reason(self):
        if self.escalateToHighPriority and not self.escalationReason:
            raise ValueError("escalationReason is required when escalateToHighPriority is true")
        return self


class WebPageIncident(Strict):
    urls: list[Url] = Field(min_length=1, max_length=100)


class ChatImIncident(Strict):
    chatClient: Short | None = None
    chatRoomName: Short | None = None
    conversationReference: Short | None = None


class OnlineGamingIncident(Strict):
    gameName: Short | None = None
    console: Short | None = None


class EmailIncident(Strict):
    emailAddresses: list[Email] = Field(default_factory=list, max_length=50)


class CellPhoneIncident(Strict):
    phoneNumber: Phone


class PeerToPeerIncident(Strict):
    client: Short | None = None
    fileNames: list[Short] = Field(default_factory=list, max_length=100)


class InternetDetails(Strict):
    webPageIncident: WebPageIncident | None = None
    chatImIncident: ChatImIncident | None = None
    onlineGamingIncident: OnlineGamingIncident | None = None
    emailIncident: EmailIncident | None = None
    cellPhoneIncident: CellPhoneIncident | None = None
    peer2peerIncident: PeerToPeerIncident | None = None


class IpCaptureEvent(Strict):
    ipAddress: Annotated[str, Field(strict=True, min_length=2, max_length=45, pattern=r"^[0-9A-Fa-f:.]+$")]
    eventName: Literal["Login", "Registration", "Purchase", "Upload", "Other", "Unknown"]
    dateTime: IsoDateTime
    port: whole_number(ge=0, le=65535) | None = None
    possibleProxy: StrictBool | None = None


class EstimatedLocation(Strict):
    countryCode: Annotated[str, Field(strict=True, pattern=r"^[A-Z]{2}$")] | None = None
    region: Short | None = None
    city: Short | None = None


class PersonOrUserReported(Strict):
    espIdentifier: Short | None = None
    espService: Short | None = None
    screenName: Short | None = None
    displayNames: list[Short] = Field(default_factory=list, max_length=20)
    profileUrls: list[Url] = Field(default_factory=list, max_length=20)
    emails: list[Email] = Field(default_factory=list, max_length=20)
    phones: list[Phone] = Field(default_factory=list, max_length=20)
    ipCaptureEvents: list[IpCaptureEvent] = Field(default_factory=list, max_length=100)
    deviceIds: list[Short] = Field(default_factory=list, max_length=20)
    associatedAccounts: list[Short] = Field(default_factory=list, max_length=50)
    estimatedLocation: EstimatedLocation | None = None


class Victim(Strict):
    age: whole_number(ge=0, le=25) | None = None
    dateOfBirth: IsoDate | None = None
    espIdentifier: Short | None = None
    screenName: Short | None = None
    displayNames: list[Short] = Field(default_factory=list, max_length=20)
    schoolName: Short | None = None
    area: Short | None = None


class ContactPerson(Strict):
    name: Short
    email: Email | None = None
    phone: Phone | None = None


class ReportIn(Strict):
    """One report. Only incidentSummary.incidentType and incidentDateTime are required."""

    incidentSummary: IncidentSummary
    internetDetails: InternetDetails | None = None
    personOrUserReported: PersonOrUserReported | None = None
    victims: list[Victim] = Field(default_factory=list, max_length=50)
    reporterContact: ContactPerson | None = None
    additionalInfo: LongText | None = None


class OpenReportIn(ReportIn):
    finish: StrictBool = Field(
        False, description="Finish at once (a report with no files): one request instead of two."
    )


class BatchIn(Strict):
    reports: list[dict] = Field(min_length=1, max_length=1000, description="Each item is a complete ReportIn.")


class FileDetailsIn(Strict):
    """The tipline's per-file details, sent as a JSON string in the `details` form field."""

    originalFileName: Short | None = None
    fileViewedByEsp: StrictBool | None = None
    publiclyAvailable: StrictBool | None = None
    fileRelevance: Literal["reported", "supplemental_reported", "supplemental"] | None = None
    industryClassification: Literal["A1", "A2", "B1", "B2"] | None = None
    originalFileHash: Annotated[str, Field(strict=True, pattern=r"^[0-9a-fA-F]{32,128}$")] | None = None
    originalFileHashType: Literal["MD5", "SHA1", "SHA256", "PDQ", "PhotoDNA"] | None = None
    ipCaptureEvent: IpCaptureEvent | None = None
    details: LongText | None = None


# --- responses ----------------------------------------------------------------------------------


class ErrorItem(Schema):
    loc: list[str | int]
    message: str
    type: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


class FileOut(Schema):
    id: UUID
    sha256: str
    size: int
    contentType: str
    # Kept, but the centre will quarantine it (data after an image's end, a PDF that acts when opened).
    warnings: list[ErrorItem] = Field(default_factory=list)


class ReportOut(Schema):
    id: UUID
    state: Literal["open", "finished", "retracted", "expired"]
    expiresAt: datetime | None = None
    reference: str | None = Field(None, description="The centre's reference, once finished.")
    status: Literal["received", "triaged", "actioned", "closed"] | None = Field(
        None, description="What became of it at the centre, once finished."
    )
    files: int = 0


class BatchItemAccepted(Schema):
    """An item that became a finished report: its id and the centre's reference, no errors."""

    index: int = Field(description="The item's position in `reports`, from 0.")
    ok: Literal[True]
    id: UUID
    reference: str
    errors: list[ErrorItem] = Field(max_length=0)


class BatchItemRejected(Schema):
    """An item that was refused, with every problem found in it (each `loc` starts body, reports, index)."""

    index: int = Field(description="The item's position in `reports`, from 0.")
    ok: Literal[False]
    id: None
    reference: None
    errors: list[ErrorItem] = Field(min_length=1)


# A plain union (anyOf in the document): `ok` tells the two apart, but OpenAPI's discriminator is for
# string properties only.
BatchItemOut = BatchItemAccepted | BatchItemRejected


class BatchOut(Schema):
    """The answer to a batch (200 whenever the body was a batch: each item is accepted or rejected on its own)."""

    accepted: int = Field(description="How many items became reports.")
    rejected: int = Field(description="How many items were refused (see their errors).")
    results: list[BatchItemOut] = Field(description="One result per item, in the order sent.")


# --- the self-reported hash list (issue 22, ADR 0106) -------------------------------------------------

SignalType = Literal["md5", "pdq", "vpdq"]
MatchAction = Literal["seen", "removed", "blocked_upload", "no_action"]


class FeedItemOut(Schema):
    """One signal of one hash. A hash gives an md5 item and, for an image, a pdq item or, for a video, a
    vpdq item, all with the hash's sequence and together on one page."""

    sequence: int = Field(description="The hash's position in the feed: its latest change.")
    op: Literal["add", "remove"] = Field(
        description="add: match this hash from now on. remove: delete it from your match index (the young "
        "person withdrew it, or the centre held it back)."
    )
    signal_type: SignalType = Field(
        description="md5 (32 hex), pdq (64 hex) or vpdq (a video's frames, one a line: pdq,quality,seconds)."
    )
    value: str = Field(description="The hash, lower-case hex (vpdq: one frame a line, 'pdq,quality,timestamp').")
    quality: int | None = Field(description="PDQ quality (50-100) of an added pdq item; otherwise null.")
    labels: list[str] = Field(description='["self-reported"] on an add; [] on a remove.')


class FeedPageOut(Schema):
    """A page of the self-reported list: the hashes changed after the cursor, oldest change first."""

    items: list[FeedItemOut]
    next_cursor: str = Field(description="Store it once the page is applied; send it as `cursor` next time.")
    has_more: bool = Field(description="true: fetch again at once with next_cursor; false: you are up to date.")


class MatchIn(Strict):
    """Where the partner found a hash from the list and what it did."""

    signal_type: SignalType
    value: Annotated[str, Field(strict=True, min_length=1, max_length=300_000, pattern=_PLAIN)] = Field(
        description="The hash as the feed gave it (md5 or pdq hex; vpdq: the whole value)."
    )
    action: MatchAction = Field(description="What you did: seen, removed, blocked_upload or no_action.")
    client_ref: Short = Field(description="Your reference for this match: the same one again is a replay.")
    where_seen: Annotated[str, Field(strict=True, max_length=500, pattern=_PLAIN)] | None = Field(
        None, description="Where: a URL, app or service name (no personal data about the uploader)."
    )
    seen_at: IsoDateTime | None = Field(None, description="When you found it (with a time zone).")


class MatchesIn(Strict):
    matches: list[dict] = Field(min_length=1, max_length=1000, description="Each item is a MatchIn.")


class MatchResultOut(Schema):
    index: int = Field(description="The item's position in `matches`, from 0.")
    result: Literal["ok", "unknown_hash", "replay", "invalid"] = Field(
        description="ok: recorded. unknown_hash: not on the list (or withdrawn). replay: this client_ref was "
        "recorded before, not counted again. invalid: see field and message."
    )
    message: str = Field(description="Why, when the result is not ok.")
    field: str = Field(description="For invalid: the field at fault ('' for the item as a whole).")


class MatchesOut(Schema):
    """One result per match sent (200 whenever the body was a list of matches: each is judged on its own)."""

    recorded: int = Field(description="How many matches were recorded (result ok).")
    results: list[MatchResultOut] = Field(description="One result per item, in the order sent.")
