"""Locust users for bench_load.py: the public report journey, the one stateful part of the mix.

Everything stateless (Most Wanted, public pages, partner API, staff queue) is sent by wrk (bench/_load_wrk.py),
which costs far less CPU per request than Python; the journey needs a session and a CSRF token carried from
page to page, which Locust's FastHttpUser does well enough at the journey's small share of the traffic.
Each journey is about 12 requests, the way a person sends one report. Accepted report references go to
LOAD_ACCEPTED_FILE, and every request's latency to LOAD_LATENCY_FILE, at the end, so the bench can merge them
with wrk's figures and check each accepted report is stored.
"""

import json
import os
import re
from urllib.parse import urlencode

from locust import FastHttpUser, constant_throughput, events, task

ACCEPTED: list[str] = []
LATENCIES: dict[str, list[float]] = {}
ERRORS: dict[str, int] = {}
RATE = float(os.environ.get("LOAD_USER_RPS", "2"))

JOURNEY = [
    ("about-you", {"role": "parent_carer"}),
    ("age", {"age_answer": "given", "age": "13"}),
    ("danger", {"danger_now": "no"}),
    ("what-happened", {"categories": ["keep_secret", "asked_for_images"]}),
    ("where", {"platform_name": "Blocktopia Chat", "environment": "online_game"}),
    ("who", {"subject_identifiers": "@fictional_fox_99", "subject_claimed_age": "15"}),
    ("when", {"day": "3", "month": "2", "year": "2026"}),
    ("your-words", {"account": "They asked my child to keep the chat secret and asked for photos."}),
]
REFERENCE = re.compile(r'id="reference">\s*([A-Z0-9-]+)')


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    LATENCIES.setdefault(name, []).append(response_time)
    if exception is not None:
        ERRORS[name] = ERRORS.get(name, 0) + 1


@events.test_stop.add_listener
def _write_accepted(environment, **kwargs):
    path = os.environ.get("LOAD_ACCEPTED_FILE")
    if path:
        with open(path, "w") as handle:
            json.dump(ACCEPTED, handle)
    path = os.environ.get("LOAD_LATENCY_FILE")
    if path:
        with open(path, "w") as handle:
            json.dump({"latencies_ms": LATENCIES, "errors": ERRORS}, handle)


def _form_post(user, url: str, data: dict, name: str) -> bool:
    """POST one page of the journey; anything but a redirect onwards is a failure (with what came back)."""
    token = user.client.cookiejar._cookies.get("127.0.0.1", {}).get("/", {}).get("csrftoken")
    body = {"csrfmiddlewaretoken": token.value if token else "", **data}
    headers = {"Referer": user.host + url, "Content-Type": "application/x-www-form-urlencoded"}
    encoded = urlencode(body, doseq=True)  # lists (checkboxes) as repeated fields, as a browser sends them
    with user.client.post(
        url, data=encoded, name=name, allow_redirects=False, headers=headers, catch_response=True
    ) as response:
        if response.status_code != 302:
            response.failure(f"{url}: status {response.status_code}, not a redirect")
            return False
        response.success()
        return True


class PublicReporter(FastHttpUser):
    wait_time = constant_throughput(RATE / 12)

    @task
    def send_report(self):
        self.client.cookiejar.clear()  # a new person, a new session
        self.client.get("/report/about-you/", name="/report/[step] GET")
        steps = [(f"/report/{slug}/", data, "/report/[step] POST") for slug, data in JOURNEY]
        steps.insert(len(JOURNEY), ("/report/screenshots/", {"action": "continue"}, "/report/screenshots/ POST"))
        steps.append(("/report/contact/", {"wants_contact": "no"}, "/report/[step] POST"))
        steps.append(("/report/check-your-answers/", {"website": ""}, "/report/check-your-answers/ POST"))
        for url, data, name in steps:
            if not _form_post(self, url, data, name):
                return
        with self.client.get("/report/sent/", name="/report/sent/", catch_response=True) as page:
            found = REFERENCE.search(page.text or "")
            if found:
                ACCEPTED.append(found.group(1))
                page.success()
            else:
                page.failure("no reference on the confirmation page")
