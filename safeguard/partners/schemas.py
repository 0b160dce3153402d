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
from pydantic import BaseModel, ConfigDict, Field, model_validator

# No NUL anywhere: PostgreSQL cannot store it (text or jsonb), so it must be refused as bad input
# (422), not fail as a 500 at the database. (Unpaired surrogates, which PostgreSQL refuses too, are
# already rejected by pydantic as invalid Unicode.) Explicit character classes rather than \s / \S:
# JSON Schema, Python and pydantic's regex engines disagree on whitespace, and the documented schema
# must mean exactly what is enforced.
_PLAIN = r"^[^\x00]*$"
_NO_SPACE = r"[^@\x00-\x20\x7f]"
Text = Annotated[str, Field(min_length=1, max_length=500, pattern=_PLAIN)]
LongText = Annotated[str, Field(max_length=10_000, pattern=_PLAIN)]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=rf"^{_NO_SPACE}+@{_NO_SPACE}+$")]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+()\-. ]+$")]
Url = Annotated[str, Field(min_length=8, max_length=2000, pattern=rf"^https?://{_NO_SPACE}+$")]
Short = Annotated[str, Field(min_length=1, max_length=200, pattern=_PLAIN)]


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
    incidentDateTime: datetime
    incidentDateTimeDescription: LongText | None = None
    platform: Short | None = None
    escalateToHighPriority: bool = False
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
    ipAddress: Annotated[str, Field(min_length=2, max_length=45, pattern=r"^[0-9A-Fa-f:.]+$")]
    eventName: Literal["Login", "Registration", "Purchase", "Upload", "Other", "Unknown"]
    dateTime: datetime
    port: Annotated[int, Field(ge=0, le=65535)] | None = None
    possibleProxy: bool | None = None


class EstimatedLocation(Strict):
    countryCode: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
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
    age: Annotated[int, Field(ge=0, le=25)] | None = None
    dateOfBirth: date | None = None
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
    finish: bool = Field(False, description="Finish at once (a report with no files): one request instead of two.")


class BatchIn(Strict):
    reports: list[dict] = Field(min_length=1, max_length=1000, description="Each item is a complete ReportIn.")


class FileDetailsIn(Strict):
    """The tipline's per-file details, sent as a JSON string in the `details` form field."""

    originalFileName: Short | None = None
    fileViewedByEsp: bool | None = None
    publiclyAvailable: bool | None = None
    fileRelevance: Literal["reported", "supplemental_reported", "supplemental"] | None = None
    industryClassification: Literal["A1", "A2", "B1", "B2"] | None = None
    originalFileHash: Annotated[str, Field(pattern=r"^[0-9a-fA-F]{32,128}$")] | None = None
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


class BatchItemOut(Schema):
    index: int
    ok: bool
    id: UUID | None = None
    reference: str | None = None
    errors: list[ErrorItem] = Field(default_factory=list)


class BatchOut(Schema):
    accepted: int
    rejected: int
    results: list[BatchItemOut]
