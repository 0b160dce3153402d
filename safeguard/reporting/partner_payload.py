"""The tipline-shaped document a partner's API submission (or a bulk referral line) brings, as kept on its report:
`Report.details["partner_api"] = {"partner", "partner_report_id", "payload", "files"}` (docs/reference: the
tipline fields). Written by `partners.mapping.report_fields`; read only through these accessors, by subjects
(identifiers, networks), triage (victims' ages) and insight (figures).

Here, with the report, rather than in partners: partners sits above subjects and triage, which need these facts
(ADR 0096). Every accessor takes a report's `details` (or anything) and never raises on a malformed one.
"""

KEY = "partner_api"  # the details key partners.mapping writes
ORM_PAYLOAD = f"details__{KEY}__payload__"  # for .values()/filters on a payload field
JSON_VICTIMS_PATH = f"{KEY},payload,victims"  # PostgreSQL `details #> '{...}'` path to the victims


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def entry(*, partner: str, partner_report_id: str, payload: dict, files: list[dict]) -> dict:
    """What partners.mapping stores under `details[KEY]`."""
    return {KEY: {"partner": partner, "partner_report_id": partner_report_id, "payload": payload, "files": files}}


def of(details) -> dict:
    """The whole partner entry ({} for a report from elsewhere)."""
    return _dict(_dict(details).get(KEY))


def payload(details) -> dict:
    return _dict(of(details).get("payload"))


def files(details) -> list[dict]:
    return [f for f in _list(of(details).get("files")) if isinstance(f, dict)]


def person(details) -> dict:
    """`personOrUserReported`: the account or person the report is about."""
    return _dict(payload(details).get("personOrUserReported"))


def victims(details) -> list[dict]:
    return [v for v in _list(payload(details).get("victims")) if isinstance(v, dict)]


def victim_ages(details) -> list[int]:
    return [v["age"] for v in victims(details) if isinstance(v.get("age"), int)]


def estimated_country(details) -> str | None:
    code = _dict(person(details).get("estimatedLocation")).get("countryCode")
    return code if isinstance(code, str) and code else None
