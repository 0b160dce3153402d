"""A tiny HTTP client for the fault tests: every outcome (status or connection error) is recorded."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

REPORT = {
    "incidentSummary": {
        "incidentType": "online_enticement_of_children",
        "incidentDateTime": "2026-11-20T18:30:00Z",
        "platform": "Faultline",
        "reportAnnotations": ["asked_to_keep_secret", "offline_meeting_proposed"],
    },
    "personOrUserReported": {"espIdentifier": "fl-user-1", "screenName": "Fictional_Account_9"},
    "additionalInfo": "Adult account asked a child to keep the chat secret and proposed meeting offline.",
    "finish": True,
}


@dataclass
class Outcome:
    key: str
    status: int | None  # None: the connection failed (reset, refused, timed out)
    seconds: float
    reference: str | None = None
    error: str = ""


def submit(base_url: str, api_key: str, idempotency_key: str, *, timeout: float = 15) -> Outcome:
    body = json.dumps({**REPORT, "additionalInfo": f"{REPORT['additionalInfo']} ({idempotency_key})"}).encode()
    request = urllib.request.Request(  # noqa: S310 - local test server
        base_url + "/api/v1/reports",
        data=body,
        headers={
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
        },
        method="POST",
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = json.loads(response.read())
            return Outcome(idempotency_key, response.status, time.monotonic() - started, payload.get("reference"))
    except urllib.error.HTTPError as error:
        return Outcome(idempotency_key, error.code, time.monotonic() - started, error=error.read()[:200].decode())
    except Exception as error:  # connection reset by a killed worker, refused, timeout
        return Outcome(idempotency_key, None, time.monotonic() - started, error=repr(error)[:200])
