"""Per-partner request rate (per minute) and daily report quota.

Counters live in the database and are bumped with one INSERT .. ON CONFLICT .. RETURNING per
request (PostgreSQL and SQLite both support it), so limits hold across all web processes and
cost a single statement. The Django cache was considered: its `incr` on the database cache is
a read then a write (racy, several queries), and a per-process cache does not share counts
(ADR 0012).
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from .models import Partner, RateCounter


@dataclass(frozen=True)
class LimitExceeded:
    message: str
    retry_after: int  # seconds


def _windows(now: datetime) -> tuple[str, int, str, int]:
    epoch = now.timestamp()
    minute = int(epoch // 60)
    minute_left = max(1, math.ceil((minute + 1) * 60 - epoch))
    day = now.astimezone(UTC).date()
    midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    day_left = max(1, math.ceil((midnight - now).total_seconds()))
    return f"m:{minute}", minute_left, f"d:{day.isoformat()}", day_left


def charge(partner: Partner, *, reports: int = 0, now: datetime | None = None) -> LimitExceeded | None:
    """Count one request (and `reports` reports against the daily quota); say if a limit is passed."""
    now = now or timezone.now()
    minute_key, minute_left, day_key, day_left = _windows(now)
    table = RateCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (partner_id, bucket, count) VALUES (%s, %s, 1), (%s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (partner_id, bucket) DO UPDATE SET count = {table}.count + excluded.count "
        "RETURNING bucket, count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [partner.pk, minute_key, partner.pk, day_key, reports])
        counts = dict(cursor.fetchall())
    if counts.get(minute_key, 0) > partner.requests_per_minute:
        return LimitExceeded(
            f"Rate limit of {partner.requests_per_minute} requests a minute exceeded.", retry_after=minute_left
        )
    if reports and counts.get(day_key, 0) > partner.daily_quota:
        return LimitExceeded(f"Daily quota of {partner.daily_quota} reports used up.", retry_after=day_left)
    return None


def purge_old_counters(now: datetime | None = None) -> int:
    now = now or timezone.now()
    minute_key, _, day_key, _ = _windows(now)
    yesterday = (now.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    keep = {minute_key, f"m:{int(now.timestamp() // 60) - 1}", day_key, f"d:{yesterday}"}
    deleted, _ = RateCounter.objects.exclude(bucket__in=keep).delete()
    return deleted
