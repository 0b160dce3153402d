"""Per-partner request rate (per minute) and daily report quota.

Counters live in the database and are bumped with one INSERT .. ON CONFLICT .. RETURNING
(PostgreSQL and SQLite both support it), so limits hold across all web processes. Each process
takes from them in small blocks (see _block), so most requests cost no statement at all
(ADR 0017). The Django cache was considered: its `incr` on the database cache is a read then a
write (racy, several queries), and a per-process cache does not share counts (ADR 0012).
"""

import math
import threading
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


def _block(limit: int) -> int:
    """How many to take from a shared counter at a time: 1 for small limits (exact), at most
    1/LEASE_FRACTION of the limit, and never more than LEASE_MAX."""
    return max(1, min(LEASE_MAX, limit // LEASE_FRACTION))


# Each process takes requests and reports from the shared counters in blocks and spends them locally,
# so most requests cost no statement at all. No process can spend what the counters have not granted,
# so a limit is never exceeded; blocks left unspent when a window ends are lost, which can refuse up
# to (processes x block) requests early: at most 1/LEASE_FRACTION of the limit per process (ADR 0017).
LEASE_FRACTION = 200
LEASE_MAX = 1000


@dataclass
class _Lease:
    minute_key: str
    day_key: str
    requests: int = 0
    reports: int = 0


_leases: dict[int, _Lease] = {}
_lock = threading.Lock()


def forget_leases() -> None:
    """Drop this process's unspent blocks (a partner's limits changed, or tests start afresh)."""
    with _lock:
        _leases.clear()


def charge(partner: Partner, *, reports: int = 0, now: datetime | None = None) -> LimitExceeded | None:
    """Count one request (and `reports` reports against the daily quota); say if a limit is passed."""
    now = now or timezone.now()
    minute_key, minute_left, day_key, day_left = _windows(now)
    with _lock:
        lease = _leases.get(partner.pk)
        if lease is None or lease.minute_key != minute_key or lease.day_key != day_key:
            lease = _leases[partner.pk] = _Lease(minute_key, day_key)
        if lease.requests < 1 or lease.reports < reports:
            _take_blocks(partner, lease, reports=reports)
        if lease.requests < 1:
            return LimitExceeded(
                f"Rate limit of {partner.requests_per_minute} requests a minute exceeded.", retry_after=minute_left
            )
        lease.requests -= 1
        if lease.reports < reports:
            return LimitExceeded(f"Daily quota of {partner.daily_quota} reports used up.", retry_after=day_left)
        lease.reports -= reports
    return None


def _take_blocks(partner: Partner, lease: _Lease, *, reports: int) -> None:
    """Add blocks from the shared counters to this process's lease: what fits under the limits."""
    request_block = _block(partner.requests_per_minute)
    report_block = reports + _block(partner.daily_quota) - 1 if reports else 0
    table = RateCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (partner_id, bucket, count) VALUES (%s, %s, %s), (%s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (partner_id, bucket) DO UPDATE SET count = {table}.count + excluded.count "
        "RETURNING bucket, count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [partner.pk, lease.minute_key, request_block, partner.pk, lease.day_key, report_block])
        counts = dict(cursor.fetchall())
    # Of each block, only what was still under the limit before it was taken is granted.
    before = counts.get(lease.minute_key, request_block) - request_block
    lease.requests += max(0, min(request_block, partner.requests_per_minute - before))
    if report_block:
        before = counts.get(lease.day_key, report_block) - report_block
        lease.reports += max(0, min(report_block, partner.daily_quota - before))


def purge_old_counters(now: datetime | None = None) -> int:
    now = now or timezone.now()
    minute_key, _, day_key, _ = _windows(now)
    yesterday = (now.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    keep = {minute_key, f"m:{int(now.timestamp() // 60) - 1}", day_key, f"d:{yesterday}"}
    deleted, _ = RateCounter.objects.exclude(bucket__in=keep).delete()
    return deleted
