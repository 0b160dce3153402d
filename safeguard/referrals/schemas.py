"""The shape of one referral line: the partner API's report, plus two optional fields partners send in bulk.

JSON Lines and XML records become this shape before validation; CSV rows do too, through the documented
columns below (or a mapping of the file's own column names onto them).
"""

from typing import Annotated

from pydantic import Field

from safeguard.partners.schemas import FileDetailsIn, ReportIn, Short

Postcode = Annotated[str, Field(min_length=2, max_length=10, pattern=r"^[A-Za-z0-9 ]+$")]


class ReferralIn(ReportIn):
    """A partner API report with the partner's own line reference and the suspect's postcode when known."""

    partnerReference: Short | None = None
    suspectPostcode: Postcode | None = None
    # Files the partner holds (hashes and classification only: the images never come with a referral).
    fileDetails: list[FileDetailsIn] = Field(default_factory=list, max_length=100)


# --- CSV ------------------------------------------------------------------------------------------------
# Documented header. Multi-valued columns take values separated by ";". Only the first two are required.
CSV_COLUMNS: dict[str, str] = {
    "incident_type": "incidentSummary.incidentType (required), e.g. online_enticement_of_children",
    "incident_datetime": "incidentSummary.incidentDateTime (required), ISO 8601, e.g. 2026-10-01T12:00:00Z",
    "platform": "incidentSummary.platform",
    "escalate": "incidentSummary.escalateToHighPriority: yes/no",
    "escalation_reason": "incidentSummary.escalationReason (required when escalate is yes)",
    "annotations": "incidentSummary.reportAnnotations, ';'-separated, e.g. sextortion;asked_to_keep_secret",
    "esp_identifier": "personOrUserReported.espIdentifier",
    "esp_service": "personOrUserReported.espService",
    "screen_name": "personOrUserReported.screenName",
    "display_names": "personOrUserReported.displayNames, ';'-separated",
    "emails": "personOrUserReported.emails, ';'-separated",
    "phones": "personOrUserReported.phones, ';'-separated",
    "profile_urls": "personOrUserReported.profileUrls, ';'-separated",
    "ip_address": "personOrUserReported.ipCaptureEvents[0].ipAddress",
    "ip_event": "personOrUserReported.ipCaptureEvents[0].eventName (Login, Registration, ...; default Unknown)",
    "ip_datetime": "personOrUserReported.ipCaptureEvents[0].dateTime (default: the incident date and time)",
    "country_code": "personOrUserReported.estimatedLocation.countryCode, e.g. GB",
    "postcode": "suspectPostcode",
    "victim_age": "victims[0].age",
    "additional_info": "additionalInfo",
    "partner_reference": "partnerReference: the partner's own id for the line",
}
REQUIRED_CSV_COLUMNS = ("incident_type", "incident_datetime")
IGNORE = ""  # mapping target meaning "this column is deliberately not imported"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def csv_row_to_record(row: dict[str, str]) -> dict:
    """A CSV row (documented column names -> text) as a ReferralIn-shaped dict. Empty cells are absent."""
    get = {k: v.strip() for k, v in row.items() if v is not None and v.strip()}.get
    summary: dict = {"incidentType": get("incident_type"), "incidentDateTime": get("incident_datetime")}
    if get("platform"):
        summary["platform"] = get("platform")
    if get("escalate"):
        summary["escalateToHighPriority"] = get("escalate").lower() in ("yes", "y", "true", "1")
    if get("escalation_reason"):
        summary["escalationReason"] = get("escalation_reason")
    if get("annotations"):
        summary["reportAnnotations"] = _split(get("annotations"))
    record: dict = {"incidentSummary": summary}
    person: dict = {}
    for column, key in (
        ("esp_identifier", "espIdentifier"),
        ("esp_service", "espService"),
        ("screen_name", "screenName"),
    ):
        if get(column):
            person[key] = get(column)
    for column, key in (
        ("display_names", "displayNames"),
        ("emails", "emails"),
        ("phones", "phones"),
        ("profile_urls", "profileUrls"),
    ):
        if get(column):
            person[key] = _split(get(column))
    if get("ip_address"):
        person["ipCaptureEvents"] = [
            {
                "ipAddress": get("ip_address"),
                "eventName": get("ip_event") or "Unknown",
                "dateTime": get("ip_datetime") or get("incident_datetime"),
            }
        ]
    if get("country_code"):
        person["estimatedLocation"] = {"countryCode": get("country_code").upper()}
    if person:
        record["personOrUserReported"] = person
    if get("victim_age"):
        age = get("victim_age")
        record["victims"] = [{"age": int(age) if age.isdigit() else age}]
    if get("additional_info"):
        record["additionalInfo"] = get("additional_info")
    if get("postcode"):
        record["suspectPostcode"] = get("postcode")
    if get("partner_reference"):
        record["partnerReference"] = get("partner_reference")
    return record
