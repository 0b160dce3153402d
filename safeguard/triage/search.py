"""Staff search: exact identifier lookup (any normalised form) and full-text search of narratives.

Full text uses SQLite FTS5 on the embedded default (a `triage_report_fts` table kept by the triage task)
and PostgreSQL full-text search in production (to_tsvector over the same fields, on the fly).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from safeguard.accounts.roles import Capability, check_capability, has_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report
from safeguard.subjects.models import ReportIdentifier, ReportSubject, Subject
from safeguard.subjects.normalise import NORMALISERS

FTS_TABLE = "triage_report_fts"
MAX_RESULTS = 50
MAX_QUERY = 200


def _indexed_text(report: Report) -> str:
    parts = [report.account, report.subject_identifiers, report.other_category_detail, report.platform_name]
    parts += [a.text for a in report.additions.all()]
    return "\n".join(p for p in parts if p)


def index_report(report: Report) -> None:
    """(Re)index one report's narrative for SQLite FTS5. PostgreSQL searches the columns directly."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [report.pk])  # noqa: S608
        cursor.execute(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", [report.pk, _indexed_text(report)])  # noqa: S608


def index_new_rows(rows: list[dict]) -> None:
    """Index new reports written as rows (the set path of reporting.intake): the text `index_report` gives a
    report with no follow-up additions yet."""
    if connection.vendor != "sqlite" or not rows:
        return
    fields = ("account", "subject_identifiers", "other_category_detail", "platform_name")
    values = [(row["id"], "\n".join(row[f] for f in fields if row.get(f))) for row in rows]
    with connection.cursor() as cursor:
        # SQLite can reuse the id of a deleted report, and the full-text table (a virtual table) is not cleared
        # with it: drop any stale row first, as index_report does.
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(v[0],) for v in values])  # noqa: S608
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", values)  # noqa: S608


def _fts_query(text: str) -> str:
    # Each word quoted: what staff type is searched as words, never parsed as FTS5 syntax.
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"' for w in words[:20])


def full_text_ids(text: str) -> list[int]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(
            "account", "subject_identifiers", "other_category_detail", "platform_name", config="english"
        )
        return list(
            Report.objects.annotate(search=vector)
            .filter(search=SearchQuery(text, search_type="websearch", config="english"))
            .order_by("-created_at")
            .values_list("pk", flat=True)[:MAX_RESULTS]
        )
    query = _fts_query(text)
    if not query:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT %s",  # noqa: S608
            [query, MAX_RESULTS],
        )
        return [row[0] for row in cursor.fetchall()]


def identifier_values(text: str) -> set[str]:
    """Every normalised form the text could be: an email, a phone number, a URL, a username..."""

    values = set()
    for normaliser in NORMALISERS.values():
        result = normaliser(text)
        if result.value:
            values.add(result.value)
    return values


def query_fingerprint(query: str) -> str:
    key = hashlib.sha256(b"safeguard.search-audit:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, " ".join(query.split()).casefold().encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class SearchResults:
    query: str
    reports: list[Report] = field(default_factory=list)
    subjects: list = field(default_factory=list)
    identifier_matches: list = field(default_factory=list)


def visible_reports(user):
    """Reports this user may see. Every casework role sees every report today; restricted handling
    (when cases and disseminations arrive) narrows this one place."""
    if not has_capability(user, Capability.VIEW_REPORT):
        return Report.objects.none()
    return Report.objects.all()


def search(*, user, query: str) -> SearchResults:
    check_capability(user, Capability.SEARCH)

    query = query.strip()[:MAX_QUERY]
    results = SearchResults(query=query)
    if not query:
        return results
    values = identifier_values(query)
    matches = list(
        ReportIdentifier.objects.filter(value__in=values, report__in=visible_reports(user))
        .select_related("report")
        .order_by("-report__created_at")[:MAX_RESULTS]
    )
    results.identifier_matches = matches
    ids = list(dict.fromkeys([m.report_id for m in matches] + full_text_ids(query)))[:MAX_RESULTS]
    by_id = visible_reports(user).in_bulk(ids)
    results.reports = [by_id[i] for i in ids if i in by_id]
    subject_ids = set(ReportSubject.objects.filter(report_id__in=list(by_id)).values_list("subject_id", flat=True))
    results.subjects = list(Subject.objects.filter(pk__in=subject_ids).order_by("pk"))
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("triage.search", ""),
        # The audit log holds metadata, not personal data (ADR 0003): a keyed fingerprint of what was searched,
        # so an inquiry can check whether someone searched for a given identifier, and what was shown.
        detail={
            "query_fingerprint": query_fingerprint(query),
            "reports": [r.pk for r in results.reports],
            "subjects": sorted(subject_ids),
        },
    )
    return results
