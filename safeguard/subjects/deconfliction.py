"""Deconfliction: who else is already working a subject, so two teams never work the same person unknowingly.

Each app that can hold a subject registers a provider with `register_provider(fn, held=...)`:
`fn(subject, exclude_report_id)` yields `Holding`s for one subject (only `subject.pk` may be relied on), and
`held(subject_ids)` answers, in one query, which of many subjects the provider holds at all (a bulk import asks
it for a whole chunk). Subjects sits below the apps that hold subjects, so it never imports them: they register
themselves from their AppConfig.ready():
- here, reports with an assignee that are still open (`assigned_open_reports`);
- `cases.deconfliction`: cases not closed (subjects linked directly or through the case's reports), held by the
  case owner, and active operations (directly or through their cases), held by whoever created them;
- `dissemination.deconfliction`: packages sent to a force and with no final outcome yet, held by the analyst who
  prepared them (the receiving force may be acting: the notice says so).
Providers are asked on every report about a known subject (the triage worker), so each checks existence in one
cheap query before reading anything. A restricted holding reveals only whom to contact, nothing of its content.
Telling the holders is triage's (`triage.deconfliction_notices`, which owns notices): one path serves a new report,
a referral import line and a new case alike.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from safeguard.reporting.models import Status

from .models import ReportSubject, Subject

if TYPE_CHECKING:
    from safeguard.accounts.models import User

OPEN = (Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW)


@dataclass(frozen=True)
class Holding:
    owner: "User"
    kind: str  # "report", "case", "operation", "dissemination"
    label: str  # e.g. the report reference; empty when restricted
    restricted: bool = False
    report_id: int | None = None
    note: str = ""  # said after the label, e.g. which force a package went to

    def notice(self) -> str:
        who = self.owner.get_full_name() or self.owner.username
        if self.restricted:
            return f"Talk to {who} before acting on this subject."
        note = f" ({self.note})" if self.note else ""
        return f"{who} is working this subject on {self.kind} {self.label}{note}. Talk to them before acting."


Provider = Callable[[Subject, int | None], Iterable[Holding]]
Held = Callable[[list[int]], set[int]]
_PROVIDERS: list[Provider] = []
_HELD: dict[Provider, Held] = {}


def register_provider(provider: Provider | None = None, *, held: Held | None = None):
    """Register `provider`; `held(subject_ids)` gives the subjects among them it holds (one query). Without
    `held`, every subject asked about is a candidate and the provider is asked per subject.

    Usable as `@register_provider`, `@register_provider(held=...)` or `register_provider(fn, held=...)`."""
    if provider is None:
        return lambda fn: register_provider(fn, held=held)
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    if held is not None:
        _HELD[provider] = held
    return provider


HELD_BATCH = 500  # subjects per `held` query: a provider may repeat the list in its SQL (SQLite's parameter cap)


def held_subjects(subject_ids: Iterable[int]) -> set[int]:
    """Which of these subjects anyone holds: one query per provider (per 500 subjects), not one per subject."""
    ids = sorted(set(subject_ids))
    found: set[int] = set()
    for provider in _PROVIDERS:
        check = _HELD.get(provider)
        for start in range(0, len(ids), HELD_BATCH):
            part = ids[start : start + HELD_BATCH]
            found |= set(part) if check is None else check(part)
        if len(found) == len(ids):
            break
    return found


def holdings_for_subjects(subject_ids: Iterable[int]) -> dict[int, list[Holding]]:
    """Every holding of each of these subjects, the providers asked only about the subjects someone holds
    (a referral chunk matches hundreds of known subjects; usually none is held)."""
    result = {}
    for subject_id in sorted(held_subjects(subject_ids)):
        found = holdings(Subject(pk=subject_id))
        if found:
            result[subject_id] = found
    return result


def _held_by_assigned_open(subject_ids: list[int]) -> set[int]:
    return set(
        ReportSubject.objects.filter(
            subject_id__in=subject_ids, report__status__in=OPEN, report__assigned_to__isnull=False
        ).values_list("subject_id", flat=True)
    )


@register_provider(held=_held_by_assigned_open)
def assigned_open_reports(subject: Subject, exclude_report_id: int | None) -> Iterable[Holding]:
    # Usually nobody is assigned yet: a plain existence check first, the ORM's joined read only when there is
    # something to read (it runs on every report about a known person, in the triage worker).
    if not _any_assigned_open(subject.pk, exclude_report_id):
        return
    links = (
        ReportSubject.objects.filter(subject=subject, report__status__in=OPEN, report__assigned_to__isnull=False)
        .exclude(report_id=exclude_report_id)  # type: ignore[misc]  # None excludes nothing (stubs refuse None)
        .select_related("report__assigned_to")
    )
    for link in links:
        yield Holding(
            owner=link.report.assigned_to,  # type: ignore[arg-type]  # filtered: assigned_to is set
            kind="report",
            label=link.report.reference,
            report_id=link.report_id,
        )


def _any_assigned_open(subject_id: int, exclude_report_id: int | None) -> bool:
    from django.db import connection

    from safeguard.reporting.models import Report

    marks = ", ".join(["%s"] * len(OPEN))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {ReportSubject._meta.db_table} l JOIN {Report._meta.db_table} r ON r.id = l.report_id "  # noqa: S608
            f"WHERE l.subject_id = %s AND r.status IN ({marks}) AND r.assigned_to_id IS NOT NULL AND l.report_id <> %s "
            "LIMIT 1",
            [subject_id, *OPEN, exclude_report_id or 0],
        )
        return cursor.fetchone() is not None


def holdings(subject: Subject, *, exclude_report_id: int | None = None) -> list[Holding]:
    return [h for provider in _PROVIDERS for h in provider(subject, exclude_report_id)]


def who_to_talk_to(report) -> list[Holding]:
    """For the report page: other owners of the report's subject, excluding the report's own assignee."""
    link = ReportSubject.objects.filter(report=report).select_related("subject").first()
    if link is None:
        return []
    return [h for h in holdings(link.subject, exclude_report_id=report.pk) if h.owner.pk != report.assigned_to_id]
