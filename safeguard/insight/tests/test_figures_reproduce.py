"""The published figures reproduce exactly from the records.

The rebuild here reads the raw reports itself and counts them with plain Counters, without the rollup; the
dataset is random (seeded) so every dimension and filter meets a mix. A second, small dataset has its
expected figures written out by hand, so the counting rules themselves are pinned down too.
"""

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from safeguard.audit.models import AuditEntry
from safeguard.insight import selectors
from safeguard.insight.dimensions import REPORT_COLUMNS, classify
from safeguard.insight.models import MonthlyCount, PlatformCount
from safeguard.insight.rollup import rebuild_rollup, refresh_rollup
from safeguard.insight.selectors import Filters, Period
from safeguard.reporting.models import Report
from safeguard.subjects.normalise import normalise_platform

from .factories import at, partner_details, report

LATER = timezone.make_aware(datetime(2030, 1, 1))
ROLES = ["young_person", "parent_carer", "professional", "other_adult", ""]
CATEGORIES = ["keep_secret", "meet_up", "asked_for_images", "threatened_to_share", "sent_sexual_content"]
ENVIRONMENTS = ["chat_room", "instant_messaging", "online_game", "social_network", "video_chat", "email", "other", ""]
PLATFORMS = ["Chat Hub", "chathub", "Blockworld", "PixelSnap", ""]
AREAS = ["North East", "London", "Wales", None]


def random_reports(n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for _ in range(n):
        received = at(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.3:
            report(
                received=received,
                source="partner_api",
                platform_name=rng.choice(PLATFORMS),
                details=partner_details(
                    incident=rng.choice(["online_enticement_of_children", "child_sexual_abuse_material"]),
                    annotations=rng.sample(["sextortion", "solicitation_of_images", "offline_meeting_proposed"], 1),
                    internet=rng.choice([{}, {"chatImIncident": {"chatClient": "x"}}, {"cellPhoneIncident": {"p": 1}}]),
                    ages=rng.sample([7, 12, 14, 16, 17], rng.randint(0, 2)),
                    area=rng.choice(AREAS),
                    country=rng.choice([None, "FR", "GB"]),
                ),
            )
        else:
            report(
                received=received,
                source=rng.choice(["public_web", "public_web", "referral"]),
                reporter_role=rng.choice(ROLES),
                categories=rng.sample(CATEGORIES, rng.randint(0, 3)),
                environment=rng.choice(ENVIRONMENTS),
                platform_name=rng.choice(PLATFORMS),
                details={"area": rng.choice(AREAS)} if rng.random() < 0.5 else {},
            )


def recount(filters: Filters) -> dict:
    """Straight from the reports, one at a time."""
    start, end = filters.period.start, filters.period.end
    out = {"total": 0, "source": Counter(), "area": Counter(), "month": Counter(), "environment": Counter()}
    out |= {"activity": Counter(), "age_band": Counter()}
    for row in Report.objects.values("created_at", *REPORT_COLUMNS):
        month = timezone.localtime(row.pop("created_at")).date().replace(day=1)
        f = classify(**row)
        if not (start <= month <= end) or (filters.area and f.area != filters.area):
            continue
        if filters.source and f.source != filters.source:
            continue
        out["total"] += 1
        for name, value in [("source", f.source), ("area", f.area), ("month", month), ("environment", f.environment)]:
            out[name][value] += 1
        out["activity"][f.activity] += 1
        out["age_band"][f.age_band] += 1
    return out


FILTERS = [
    Filters(Period.year(2026)),
    Filters(Period.year(2025)),
    Filters(Period.quarter(2026, 2)),
    Filters(Period.year(2026), area="london"),
    Filters(Period.year(2025), source="industry"),
    Filters(Period.quarter(2025, 4), area="unknown", source="children"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_every_figure_reproduces_from_the_reports(filters):
    random_reports(400)
    refresh_rollup(now=LATER)
    got, expected = selectors.breakdown(filters), recount(filters)
    assert got.total == expected["total"]
    assert got.by_source == {k: v for k, v in expected["source"].items()}
    assert got.by_area == dict(expected["area"])
    assert got.by_month == dict(expected["month"])
    for dimension in ("environment", "activity", "age_band"):
        assert got.by_dimension[dimension] == dict(expected[dimension]), dimension
    # and what is displayed is that, suppressed
    tables = selectors.tables(filters, got)
    shown = {c.key: c.count for c in tables["by_source"].cells if c.count is not None}
    assert all(expected["source"][k] == v for k, v in shown.items())


@pytest.mark.django_db
def test_platform_counts_reproduce_from_the_reports():
    random_reports(300, seed=3)
    refresh_rollup(now=LATER)
    expected = Counter()
    for row in Report.objects.values("created_at", *REPORT_COLUMNS):
        month = timezone.localtime(row.pop("created_at")).date().replace(day=1)
        f = classify(**row)
        key = normalise_platform(f.platform)
        if key:
            expected[(month, "environment", f.environment, key)] += 1
            expected[(month, "activity", f.activity, key)] += 1
    got = Counter({(r.month, r.dimension, r.value, r.platform_key): r.reports for r in PlatformCount.objects.all()})
    assert got == expected and len(expected) > 20


@pytest.mark.django_db
def test_refreshing_in_steps_gives_the_same_rollup_as_one_rebuild():
    random_reports(120, seed=1)
    refresh_rollup(now=LATER)
    random_reports(80, seed=2)
    refresh_rollup(now=LATER)
    assert refresh_rollup(now=LATER) == 0  # nothing new: nothing counted twice
    stepped = set(MonthlyCount.objects.values_list("month", "source", "area", "dimension", "value", "reports"))
    assert rebuild_rollup(now=LATER) == 200
    rebuilt = set(MonthlyCount.objects.values_list("month", "source", "area", "dimension", "value", "reports"))
    assert stepped == rebuilt


@pytest.mark.django_db
def test_recent_reports_wait_until_they_settle():
    report(received=at(2026, 3), categories=["meet_up"])
    fresh = report(received=timezone.now(), categories=["meet_up"])
    assert refresh_rollup() == 1
    Report.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert refresh_rollup() == 1


@pytest.mark.django_db
def test_counting_is_audited_as_consultation():
    report(received=at(2026, 3))
    refresh_rollup(now=LATER)
    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == "consultation" and entry.detail["reports"] == 1


@pytest.mark.django_db
def test_hand_counted_dataset():
    for _ in range(6):
        report(
            received=at(2026, 1), reporter_role="young_person", categories=["keep_secret"], environment="online_game"
        )
    for _ in range(3):
        report(received=at(2026, 2), reporter_role="parent_carer", categories=["meet_up"], environment="chat_room")
    for _ in range(7):
        report(
            received=at(2026, 2),
            source="partner_api",
            platform_name="Blockworld",
            details=partner_details(annotations=["sextortion"], internet={"onlineGamingIncident": {}}, ages=[13]),
        )
    report(received=at(2025, 12), reporter_role="professional", categories=["asked_for_images"])
    refresh_rollup(now=LATER)
    tables = selectors.tables(Filters(Period.year(2026)))
    by = {name: {c.key: c.display for c in t.cells if c.count != 0} for name, t in tables.items()}
    assert tables["by_source"].total.count == 16
    # adults (3) are small, so the next smallest shown cell (children, 6) is withheld as well
    assert by["by_source"] == {"children": "withheld", "adults": "fewer than 5", "industry": "7"}
    assert by["by_environment"] == {"online_game": "withheld", "chat_room": "fewer than 5"}
    assert by["by_activity"] == {"grooming": "withheld", "offline_meeting": "fewer than 5", "sextortion": "7"}
    assert by["by_age_band"] == {"11-13": "7", "under_18": "withheld", "unknown": "fewer than 5"}
    assert by["by_month"] == {"2026-01-01": "6", "2026-02-01": "10"}
