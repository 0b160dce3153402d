"""Locust users for bench_load.py: mixed traffic on the production-like topology.

Weights (per user type, requests per report differ): the public report journey (about 11 requests per
report, the way a person sends one), the partner API (one request per report), staff browsing the queue,
and the public Most Wanted pages. Accepted report references are written to LOAD_ACCEPTED_FILE at the end
so the bench can check each one is stored.
"""

import json
import os
import re
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, constant_throughput, events, task

ACCEPTED: list[str] = []
RATE = float(os.environ.get("LOAD_USER_RPS", "2"))

JOURNEY = [
    ("about-you", {"role": "parent_carer"}),
    ("danger", {"danger_now": "no"}),
    ("what-happened", {"categories": ["keep_secret", "asked_for_images"]}),
    ("where", {"platform_name": "Blocktopia Chat", "environment": "online_game"}),
    ("who", {"subject_identifiers": "@fictional_fox_99", "subject_claimed_age": "15"}),
    ("when", {"day": "3", "month": "2", "year": "2026"}),
    ("your-words", {"account": "They asked my child to keep the chat secret and asked for photos."}),
]
PARTNER_REPORT = {
    "incidentSummary": {
        "incidentType": "online_enticement_of_children",
        "incidentDateTime": "2026-11-20T18:30:00Z",
        "platform": "LoadTest Chat",
        "reportAnnotations": ["asked_to_keep_secret"],
    },
    "personOrUserReported": {"espIdentifier": "lt-user-1", "screenName": "Fictional_Load_Account"},
    "additionalInfo": "Adult account asked a child to keep the chat secret.",
    "finish": True,
}
REFERENCE = re.compile(r'id="reference">\s*([A-Z0-9-]+)')


@events.test_stop.add_listener
def _write_accepted(environment, **kwargs):
    path = os.environ.get("LOAD_ACCEPTED_FILE")
    if path:
        with open(path, "w") as handle:
            json.dump(ACCEPTED, handle)


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
    weight = 1
    wait_time = constant_throughput(RATE / 11)

    @task
    def send_report(self):
        self.client.cookiejar.clear()  # a new person, a new session
        self.client.get("/report/about-you/", name="/report/[step] GET")
        steps = [(f"/report/{slug}/", data, "/report/[step] POST") for slug, data in JOURNEY]
        steps.insert(7, ("/report/screenshots/", {"action": "continue"}, "/report/screenshots/ POST"))
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


class Partner(FastHttpUser):
    weight = 1
    wait_time = constant_throughput(RATE)

    @task
    def submit(self):
        key = f"load-{uuid.uuid4()}"
        with self.client.post(
            "/api/v1/reports",
            json=PARTNER_REPORT,
            headers={"Authorization": f"Bearer {os.environ['LOAD_PARTNER_KEY']}", "Idempotency-Key": key},
            name="/api/v1/reports POST",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                ACCEPTED.append(response.json()["reference"])
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class StaffAnalyst(FastHttpUser):
    weight = 1
    wait_time = constant_throughput(RATE)

    def on_start(self):
        self.client.cookiejar.set_cookie(_cookie("sessionid", os.environ["LOAD_STAFF_SESSION"]))

    @task(3)
    def queue(self):
        self.client.get("/staff/", name="/staff/ (queue)")

    @task(1)
    def queue_page_two(self):
        self.client.get("/staff/?page=2", name="/staff/ (queue)")


class MostWantedVisitor(FastHttpUser):
    weight = 2
    wait_time = constant_throughput(RATE)
    pages: list[str] = []

    @task(2)
    def list_page(self):
        response = self.client.get("/most-wanted/", name="/most-wanted/")
        if not MostWantedVisitor.pages and response.text:
            MostWantedVisitor.pages = sorted(set(re.findall(r'href="(/most-wanted/[a-z0-9-]+/)"', response.text)))

    @task(3)
    def detail_page(self):
        if MostWantedVisitor.pages:
            page = MostWantedVisitor.pages[hash(uuid.uuid4()) % len(MostWantedVisitor.pages)]
            self.client.get(page, name="/most-wanted/[person]/")


def _cookie(name: str, value: str):
    from http.cookiejar import Cookie

    return Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {})
