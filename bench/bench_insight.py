"""Threat-assessment figures over many reports: dashboard pages, the annual review PDF, and DuckDB for comparison.

Usage: bench_insight.py [--reports N] [--sqlite]
(default 200,000 reports on a throwaway PostgreSQL when its binaries are there, else SQLite; the issue's
full run is --reports 10000000.)

Reports are synthetic (two years, 2024 and 2025; online gaming's share rises in 2025 with one platform
driving it), generated inside PostgreSQL (in Python for SQLite). Then:
- `rollup s`: `insight.rollup.rebuild_rollup` counting every report into the rollup from nothing;
- `dashboard <page> ms`: each staff page rendered by its view (best of 3), and `dashboard max ms: N` the slowest;
- `annual review pdf s: N` and `threat assessment pdf s: N`: each document built whole;
- `figures ms` / `duckdb ms`: the same aggregations (every breakdown of the dashboard, for this and the previous
  year, with and without filters) computed by the app from its rollup, and by DuckDB from a Parquet export of
  each report's facets (PostgreSQL only; `export s` is making it); `ratio to duckdb: R` = app / DuckDB
  (below 1: the app is faster).
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import emit, setup
from _pg import PG_BIN, throwaway_postgres

REGIONS = [
    "North East",
    "North West",
    "London",
    "South East",
    "Wales",
    "Scotland",
    "West Midlands",
    "Yorkshire and the Humber",
]
CATEGORY_SETS = [
    '["keep_secret"]',
    '["keep_secret", "asked_for_images"]',
    '["meet_up"]',
    '["threatened_to_share"]',
    '["sent_sexual_content"]',
    '["asked_for_images"]',
    '["keep_secret", "meet_up"]',
    "[]",
]
ENVIRONMENTS = ["chat_room", "instant_messaging", "instant_messaging", "social_network", "video_chat", "email", "other"]
ROLES = ["young_person", "young_person", "parent_carer", "professional", "other_adult"]
INTERNET = [
    '"chatImIncident": {"chatClient": "x"}',
    '"cellPhoneIncident": {"phoneNumber": "0"}',
    '"webPageIncident": {"urls": ["https://example.net"]}',
    "",
]
INCIDENTS = [
    "online_enticement_of_children",
    "child_sexual_abuse_material",
    "unsolicited_obscene_material_sent_to_child",
]
ANNOTATIONS = ['"sextortion"', '"solicitation_of_images"', '"offline_meeting_proposed"', ""]
START = datetime(2024, 1, 1)
DAYS = 731


def partner_payload(rng: random.Random, gaming: bool) -> str:
    internet = '"onlineGamingIncident": {"gameName": "x"}' if gaming else rng.choice(INTERNET)
    ages = ", ".join(
        f'{{"age": {a}, "area": "{rng.choice(REGIONS)}"}}' for a in rng.sample(range(6, 18), rng.randint(0, 2))
    )
    return (
        f'{{"partner_api": {{"payload": {{"incidentSummary": {{"incidentType": "{rng.choice(INCIDENTS)}", '
        f'"reportAnnotations": [{rng.choice(ANNOTATIONS)}]}}, "internetDetails": {{{internet}}}, '
        f'"victims": [{ages}]}}}}}}'
    )


def rows(n: int, first_id: int, seed: int = 10):
    """(id, reference, source, role, categories, environment, platform, details, created_at) for n reports."""
    from django.utils import timezone

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    # A few hundred payload variants, reused: building JSON text for each of 10M rows would dominate the load.
    partner_gaming = [partner_payload(rng, True) for _ in range(200)]
    partner_other = [partner_payload(rng, False) for _ in range(400)]
    public_details = ["{}"] * 4 + [f'{{"area": "{r}"}}' for r in REGIONS]
    platforms = [f"Platform {i}" for i in range(60)]
    for i in range(n):
        offset = rng.random() * DAYS
        created = (START + timedelta(days=offset)).replace(tzinfo=tz)
        later = offset >= 366
        gaming = rng.random() < (0.18 if later else 0.12)
        platform = "Blockworld" if gaming and later and rng.random() < 0.4 else platforms[int(60 * rng.random() ** 2)]
        r = rng.random()
        if r < 0.70:
            role, source = rng.choice(ROLES), "public_web"
            categories, details = rng.choice(CATEGORY_SETS), rng.choice(public_details)
            environment = "online_game" if gaming else rng.choice(ENVIRONMENTS)
        else:
            role, source, categories, environment = "", ("partner_api" if r < 0.95 else "referral"), "[]", ""
            details = rng.choice(partner_gaming if gaming else partner_other)
        report_id = first_id + i
        yield (report_id, f"B{report_id}", source, role, categories, environment, platform, details, created)


def _other_columns():
    """Every other column of the report table, with its default (the same for every generated row)."""
    from safeguard.reporting.models import Report

    explicit = {"id", "reference", "source", "reporter_role", "categories", "environment", "platform_name", "details"}
    defaults = {}
    for f in Report._meta.concrete_fields:
        if f.column in explicit or f.column in ("created_at", "updated_at"):
            continue
        if f.null:
            defaults[f.column] = None
        elif f.get_internal_type() == "JSONField":
            defaults[f.column] = "[]"
        else:
            defaults[f.column] = f.get_default()
    return defaults


def _load_postgres(n: int) -> None:
    """The same distributions as `rows`, generated inside PostgreSQL (Python is ~100x slower per row)."""
    from django.db import connection

    rng = random.Random(10)
    defaults = _other_columns()
    params = {
        "n": n,
        "roles": ROLES,
        "cats": CATEGORY_SETS,
        "envs": ENVIRONMENTS,
        "public": ["{}"] * 4 + [f'{{"area": "{r}"}}' for r in REGIONS],
        "gaming": [partner_payload(rng, True) for _ in range(200)],
        "other": [partner_payload(rng, False) for _ in range(400)],
        "platforms": [f"Platform {i}" for i in range(60)],
    } | {f"d_{name}": value for name, value in defaults.items()}
    other_names = ", ".join(defaults)
    other_values = ", ".join(f"%(d_{name})s" for name in defaults)
    sql = f"""
        INSERT INTO reporting_report (id, reference, source, reporter_role, categories, environment, platform_name,
            details, created_at, updated_at, {other_names})
        SELECT x, 'B' || x,
            CASE WHEN rsrc < 0.70 THEN 'public_web' WHEN rsrc < 0.95 THEN 'partner_api' ELSE 'referral' END,
            CASE WHEN rsrc < 0.70 THEN (%(roles)s::text[])[1 + floor(ra * 5)::int] ELSE '' END,
            CASE WHEN rsrc < 0.70 THEN (%(cats)s::text[])[1 + floor(rb * 8)::int]::jsonb ELSE '[]'::jsonb END,
            CASE WHEN rsrc >= 0.70 THEN '' WHEN gaming THEN 'online_game'
                 ELSE (%(envs)s::text[])[1 + floor(rc * 7)::int] END,
            CASE WHEN gaming AND later AND rd < 0.4 THEN 'Blockworld'
                 ELSE (%(platforms)s::text[])[1 + floor(60 * re * re)::int] END,
            CASE WHEN rsrc < 0.70 THEN (%(public)s::text[])[1 + floor(rf * 12)::int]::jsonb
                 WHEN gaming THEN (%(gaming)s::text[])[1 + floor(rf * 200)::int]::jsonb
                 ELSE (%(other)s::text[])[1 + floor(rf * 400)::int]::jsonb END,
            received, received, {other_values}
        FROM (
            SELECT x, rsrc, ra, rb, rc, rd, re, rf, later,
                   rg < CASE WHEN later THEN 0.18 ELSE 0.12 END AS gaming,
                   (TIMESTAMP '2024-01-01' + rt * {DAYS} * INTERVAL '1 day') AT TIME ZONE 'Europe/London' AS received
            FROM (
                SELECT x, rt, rt * {DAYS} >= 366 AS later, random() AS rg, random() AS rsrc, random() AS ra,
                       random() AS rb, random() AS rc, random() AS rd, random() AS re, random() AS rf
                FROM (SELECT x, random() AS rt FROM generate_series(1, %(n)s) AS x) AS seq
            ) AS drawn
        ) AS shaped
    """  # noqa: S608 - constant SQL, values as parameters
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(sql, params)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('reporting_report', 'id'), {n})")
        cursor.execute("ANALYZE reporting_report")


def load_reports(n: int) -> None:
    from django.db import connection

    from safeguard.reporting.models import Report

    if connection.vendor == "postgresql":
        _load_postgres(n)
        return
    defaults = _other_columns()
    explicit = ["id", "reference", "source", "reporter_role", "categories", "environment", "platform_name", "details"]
    columns = [*explicit, "created_at", "updated_at", *defaults]
    extra = list(defaults.values())
    table = Report._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    batch = []
    with connection.cursor() as cursor:
        for row in rows(n, 1):
            batch.append((*row, row[-1], *extra))
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def _request(path: str, user):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionBase()
    request._messages = FallbackStorage(request)
    return request


def best_of(fn, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


FILTER_SETS = [
    {"year": "2025"},
    {"year": "2025", "area": "london"},
    {"year": "2025", "source": "industry"},
    {"year": "2025", "quarter": "3", "area": "wales", "source": "children"},
]


def bench_pages(user) -> dict[str, float]:
    from django.urls import resolve, reverse

    pages = {
        "figures": "/staff/insight/?year=2025",
        "figures filtered": "/staff/insight/?year=2025&area=london&source=industry",
        "figures quarter": "/staff/insight/?year=2025&quarter=3",
        "emerging": "/staff/insight/emerging/?year=2025",
        "emerging filtered": "/staff/insight/emerging/?year=2025&source=children",
        "outcomes": "/staff/insight/outcomes/?year=2025",
        "export all xlsx": "/staff/insight/export/all.xlsx?year=2025",
    }
    base = reverse("insight:dashboard")
    out = {}
    for name, path in pages.items():
        path = path.replace("/staff/insight/", base)
        match = resolve(path.split("?")[0])

        def call(path=path, match=match):
            response = match.func(_request(path, user), *match.args, **match.kwargs)
            assert response.status_code == 200, (path, response.status_code)

        out[name] = 1000 * best_of(call)
        emit(f"dashboard {name} ms", out[name], "ms")
    return out


def app_figures() -> None:
    from safeguard.insight import selectors
    from safeguard.insight.forms import FilterForm

    for params in FILTER_SETS:
        filters = FilterForm(params).filters()
        selectors.tables(filters)
        selectors.tables(selectors.Filters(filters.period.previous(), filters.area, filters.source))


def duckdb_figures(con) -> None:
    from safeguard.insight.forms import FilterForm

    for params in FILTER_SETS:
        filters = FilterForm(params).filters()
        for period in (filters.period, filters.period.previous()):
            where = f"month BETWEEN DATE '{period.start}' AND DATE '{period.end}'"
            if filters.area:
                where += f" AND area = '{filters.area}'"
            if filters.source:
                where += f" AND source = '{filters.source}'"
            for column in ("source", "area", "month", "environment", "activity", "age_band"):
                con.execute(f"SELECT {column}, count(*) FROM facts WHERE {where} GROUP BY {column}").fetchall()  # noqa: S608


# The export for DuckDB: one row per report with its facets. Each distinct combination of the inputs that
# classify() reads is classified once (as the rollup does), then joined back to every report in PostgreSQL.
_INPUTS = [
    ("m", "to_char(created_at AT TIME ZONE 'Europe/London', 'YYYY-MM')"),
    ("source", "source"),
    ("reporter_role", "reporter_role"),
    ("categories", "categories"),
    ("environment", "environment"),
    ("platform_name", "platform_name"),
    ("d_area", "details->'area'"),
    ("d_incident", "details#>'{partner_api,payload,incidentSummary,incidentType}'"),
    ("d_annotations", "details#>'{partner_api,payload,incidentSummary,reportAnnotations}'"),
    ("d_platform", "details#>'{partner_api,payload,incidentSummary,platform}'"),
    ("d_internet", "details#>'{partner_api,payload,internetDetails}'"),
    ("d_victims", "details#>'{partner_api,payload,victims}'"),
    ("d_located", "details#>'{partner_api,payload,personOrUserReported,estimatedLocation}'"),
]
_JSON = {"categories", *(name for name, _ in _INPUTS if name.startswith("d_"))}
_INNER = "SELECT id, " + ", ".join(f"{expr} AS {name}" for name, expr in _INPUTS) + " FROM reporting_report"  # noqa: S608
_KEY = "md5(concat_ws('|', " + ", ".join(f"coalesce(s.{name}::text, '~')" for name, _ in _INPUTS) + "))"


def export_facts(path: Path) -> None:
    from django.db import connection

    from safeguard.insight.dimensions import classify
    from safeguard.insight.rollup import _details

    names = ", ".join(name for name, _ in _INPUTS)
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        raw.execute(f"SELECT {_KEY}, {names} FROM ({_INNER}) s GROUP BY {names}")  # noqa: S608
        combos = []
        for k, month, *values in raw.fetchall():
            # Django reads jsonb as text (it parses JSON itself), so the raw cursor gives text too.
            values = [
                json.loads(v) if name in _JSON and v is not None else v
                for (name, _), v in zip(_INPUTS[1:], values, strict=True)
            ]
            row = dict(zip([name for name, _ in _INPUTS[1:]], values, strict=True))
            plain = {c: row[c] for c in ("source", "reporter_role", "categories", "environment", "platform_name")}
            f = classify(details=_details(row), **plain)
            combos.append((k, month + "-01", f.source, f.area, f.environment, f.activity, f.age_band))
        raw.execute(
            "CREATE TEMP TABLE combos (k text PRIMARY KEY, month date, source text, area text, environment text, "
            "activity text, age_band text)"
        )
        with raw.copy("COPY combos FROM STDIN") as copy:
            for combo in combos:
                copy.write_row(combo)
        emit("distinct inputs", len(combos))
        query = (
            f"COPY (SELECT s.id, c.month, c.source, c.area, c.environment, c.activity, c.age_band "  # noqa: S608
            f"FROM ({_INNER}) s JOIN combos c ON c.k = {_KEY}) TO STDOUT WITH (FORMAT csv, HEADER)"
        )
        with path.open("wb") as out, raw.copy(query) as copy:
            for block in copy:
                out.write(block)


def run(n: int, *, postgres: bool) -> None:
    import duckdb
    from django.utils import timezone

    from safeguard.insight.rollup import rebuild_rollup

    start = time.perf_counter()
    load_reports(n)
    emit("load reports s", time.perf_counter() - start, "s")

    start = time.perf_counter()
    counted = rebuild_rollup(now=timezone.now() + timedelta(days=1))
    elapsed = time.perf_counter() - start
    assert counted == n, (counted, n)
    emit("rollup s", elapsed, "s")
    emit("rollup reports per s", n / elapsed, "reports/s")
    from safeguard.insight.models import MonthlyCount, PlatformCount

    emit("rollup rows", MonthlyCount.objects.count() + PlatformCount.objects.count(), "rows")

    from safeguard.accounts.models import Role, User

    user = User.objects.create_user(username="bench-supervisor", password="x", role=Role.SUPERVISOR)  # noqa: S106
    pages = bench_pages(user)
    emit("dashboard max ms", max(pages.values()), "ms")

    from safeguard.insight.documents import annual_review_pdf, threat_assessment_pdf

    start = time.perf_counter()
    pdf = annual_review_pdf(year=2025)
    emit("annual review pdf s", time.perf_counter() - start, "s")
    emit("annual review pdf kb", len(pdf) / 1024, "KiB")
    start = time.perf_counter()
    threat_assessment_pdf(year=2025)
    emit("threat assessment pdf s", time.perf_counter() - start, "s")

    if not postgres:
        print("ratio to duckdb: skipped (the export needs PostgreSQL)", flush=True)
        return
    folder = Path(tempfile.mkdtemp(prefix="safeguard-bench-insight-"))
    export, parquet = folder / "facts.csv", folder / "facts.parquet"
    start = time.perf_counter()
    export_facts(export)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv_auto('{export}')) TO '{parquet}' (FORMAT parquet)")  # noqa: S608
    export.unlink()
    con.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    emit("export s", time.perf_counter() - start, "s")
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == n
    duck = best_of(lambda: duckdb_figures(con))
    app = best_of(app_figures)
    emit("figures ms", 1000 * app, "ms")
    emit("duckdb ms", 1000 * duck, "ms")
    emit("ratio to duckdb", app / duck)
    parquet.unlink()
    folder.rmdir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL is available")
    args = parser.parse_args()
    emit("reports", args.reports)
    if args.sqlite or not (PG_BIN / "initdb").exists():
        print("database: sqlite", flush=True)
        setup()
        run(args.reports, postgres=False)
        return
    with throwaway_postgres(settings={"shared_buffers": "1GB", "work_mem": "64MB"}) as url:
        print("database: postgresql", flush=True)
        os.environ["DATABASE_URL"] = url
        setup()
        run(args.reports, postgres=True)


if __name__ == "__main__":
    main()
