"""Every page, every role (issue 18): walk the demo data as each demo role and anonymously.

No 5xx, no link or form that leads to a 403 or 404, every HTML page in the GOV.UK layout, no stored code
(`young_person`) or Python repr in what people read, downloads of known types. The pages visited per role are
printed and written to var/crawl-counts.txt. Axe runs over the public pages in tests/browser/test_public_axe_crawl.py.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguard.accounts.models import User
from safeguard.accounts.roles import staff_home_url_name

from .crawler import crawl, problems_of

DEMO_LOADERS = (
    "load_demo_data",
    "load_education_demo",
    "load_wanted_demo",
    "load_dissemination_demo",
    "load_demo_coverage",
)
ROLES = ("analyst", "investigator", "supervisor", "admin", "tvp-officer", "education")
PUBLIC_STARTS = ("/", "/report/", "/report/follow-up/", "/most-wanted/", "/training/")


def load_demo() -> None:
    for loader in DEMO_LOADERS:
        call_command(loader, stdout=open("/dev/null", "w"))  # noqa: SIM115


def signed_in(username: str) -> tuple[Client, str]:
    """A client past both sign-in factors as the demo user, and the home the user lands on."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).get().persistent_id
    session.save()
    return client, reverse(staff_home_url_name(user))


@pytest.mark.django_db(transaction=False)
def test_every_page_every_role(capsys):
    load_demo()
    counts, problems = {}, []
    for username in ROLES:
        if not User.objects.filter(username=username).exists():
            problems.append(f"demo user {username!r} is missing")
            continue
        client, home = signed_in(username)
        visits = crawl(client, [home, "/staff/"])
        counts[username] = len(visits)
        problems += [f"[{username}] {p}" for p in problems_of(visits)]
    visits = crawl(Client(), list(PUBLIC_STARTS))
    counts["anonymous"] = len(visits)
    problems += [f"[anonymous] {p}" for p in problems_of(visits)]

    summary = ", ".join(f"{who} {n}" for who, n in counts.items())
    out = Path(settings.BASE_DIR) / "var" / "crawl-counts.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"pages visited per role: {summary}\n")
    with capsys.disabled():
        print(f"\ncrawl: pages visited per role: {summary}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert all(n >= 5 for n in counts.values()), counts  # each role reached beyond its home
