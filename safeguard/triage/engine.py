"""Scoring reports with the active model: one at a time in the triage task, in bulk after a model change.

Bulk rescoring never reads a narrative: it reads the stored feature columns (ReportTriage) in chunks
with plain SQL, scores them with numpy, and writes priorities back with one statement per chunk
(executemany on SQLite, UPDATE ... FROM unnest(...) on PostgreSQL).
"""

import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Priority, Report, Status
from safeguard.subjects.models import ReportSubject

from .features import MAX_COUNTED_PRIOR_REPORTS, STORED_FEATURES, ActiveModel, active_model, report_features
from .models import ReportTriage
from .scoring import FACTOR_NAMES, Scored, reasons_for, score

OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW)
CHUNK = 50_000


def hash_match_count(report: Report) -> int:
    """Known-material matches on the report's files; 0 if the evidence app is not there."""
    return hash_match_counts([report.pk]).get(report.pk, 0)


def hash_match_counts(report_ids: list[int]) -> dict[int, int]:
    """Known-material matches per report, for reports that have any: one grouped query for a chunk of reports
    (the triage worker asks for every report it triages; most have no files at all)."""
    try:
        from safeguard.evidence.models import EvidenceFile, EvidenceMatch
    except ImportError:  # pragma: no cover - evidence is optional for triage
        return {}
    if not report_ids:
        return {}
    # Plain SQL: building the ORM's grouped join cost several times the query itself.
    matches, files = EvidenceMatch._meta.db_table, EvidenceFile._meta.db_table
    sql = (
        f"SELECT f.report_id, COUNT(*) FROM {matches} m JOIN {files} f ON f.id = m.evidence_id "  # noqa: S608
        f"WHERE f.report_id IN ({', '.join(['%s'] * len(report_ids))}) GROUP BY f.report_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, report_ids)
        return dict(cursor.fetchall())


def reports_with_hash_matches(report_ids: list[int] | None = None) -> set[int]:
    try:
        from safeguard.evidence.models import EvidenceMatch
    except ImportError:  # pragma: no cover
        return set()
    matches = EvidenceMatch.objects.all()
    if report_ids is not None:
        # Rescoring a few reports (a subject's, after a new report about them) must not read every match stored.
        matches = matches.filter(evidence__report_id__in=report_ids)
    return set(matches.values_list("evidence__report_id", flat=True).distinct())


# A file matching a known-material hash list keeps its report at P2 or above whatever the model's weights
# (issue 4, ADR 0023): a supervisor tuning weights must not be able to bury known abuse material.
KNOWN_MATERIAL_FLOOR = Priority.P2


def with_known_material_floor(scored: Scored, *, matched: bool) -> Scored:
    if not matched:
        return scored
    points = {**scored.points, "hash_match": max(scored.points.get("hash_match", 0.0), MATCH_REASON_POINTS)}
    return Scored(
        score=scored.score,
        band=min(scored.band, KNOWN_MATERIAL_FLOOR),
        points=scored.points,
        reasons=reasons_for(points),
    )


# Marks the hash factor as counted for the reasons only (the score is unchanged) when its weight is 0.
MATCH_REASON_POINTS = 1e-9


_TRIAGE_COLUMNS = (
    "report_id", *STORED_FEATURES, "occurred_day", "youngest_victim_age",
    "prior_report_count", "score", "model_version", "scored_at", "words",
)  # fmt: skip


@cache
def _upsert_sql() -> str:
    table = ReportTriage._meta.db_table
    columns = ", ".join(_TRIAGE_COLUMNS)
    marks = ", ".join(["%s"] * len(_TRIAGE_COLUMNS))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _TRIAGE_COLUMNS[1:])
    # PostgreSQL and SQLite (3.24+) both take this form.
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT (report_id) DO UPDATE SET {updates}"  # noqa: S608


@dataclass(frozen=True)
class Stored:
    """What one scoring stored: the score, and the factor values and words it came from."""

    scored: Scored
    features: dict
    words: dict


def score_and_store(
    report: Report, *, prior_reports: int, model: ActiveModel | None = None, hash_matches: int | None = None
) -> Stored:
    """Score one report with everything known now, store features, words and score, set its priority.

    `hash_matches`: the report's known-material matches when the caller already counted them (the worker
    counts a chunk's in one query); otherwise counted here.
    """
    model = model or active_model(fresh=True)
    matches = hash_match_count(report) if hash_matches is None else hash_matches
    features = report_features(report, prior_reports=prior_reports, hash_matches=matches)
    scored = with_known_material_floor(score(features, model.weights, model.thresholds), matched=bool(matches))
    # One upsert, as update_or_create's outcome (every column set) without its savepoint, locking read and
    # ORM statement building: the row usually exists already (the intake writes it, ADR 0019).
    values = [
        report.pk,
        *(features[name] for name in STORED_FEATURES),
        features["_occurred_day"],
        features["_youngest"],
        prior_reports,
        scored.score,
        model.number,
        connection.ops.adapt_datetimefield_value(timezone.now()),
        _words_field().get_db_prep_save(features["_words"], connection),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), values)
    report.priority = scored.band
    report.priority_reasons = scored.reasons
    return Stored(scored=scored, features=features, words=features["_words"])


@cache
def _words_field():
    return ReportTriage._meta.get_field("words")


def explain(report: Report) -> tuple[Scored, ActiveModel] | None:
    """The current model's points for each factor of a report, from its stored factor values."""
    stored = ReportTriage.objects.filter(report=report).first()
    if stored is None:
        return None
    model = active_model()
    features = {name: getattr(stored, name) for name in STORED_FEATURES}
    features["recency"] = _recency_vector(np.array([stored.occurred_day]), date.today().toordinal())[0]
    return score(features, model.weights, model.thresholds), model


# --- bulk ----------------------------------------------------------------------------------------------


def _weights_vector(model: ActiveModel) -> tuple[np.ndarray, float]:
    stored = np.array([float(model.weights.get(n, 0)) for n in STORED_FEATURES])
    return stored, float(model.weights.get("recency", 0))


def _bands(scores: np.ndarray, thresholds: dict) -> np.ndarray:
    t1, t2, t3 = (float(thresholds[b]) for b in ("1", "2", "3"))
    return np.select([scores >= t1, scores >= t2, scores >= t3], [1, 2, 3], default=4).astype(np.int16)


def _recency_vector(days: np.ndarray, today: int) -> np.ndarray:
    age = today - days
    return np.where(age <= 7, 1.0, np.where(age <= 30, 0.5, 0.0))


def _select_chunk(after_id: int, report_ids: list[int] | None) -> tuple[np.ndarray, list[tuple]]:
    """The next chunk: factor values from ReportTriage (a narrow keyset scan), then the open reports' current
    priority and reasons over the same id range. Two primary-key range scans instead of a join: on a million
    rows this is several times faster, on SQLite and PostgreSQL alike."""
    triage = ReportTriage._meta.db_table
    reports = Report._meta.db_table
    columns = ", ".join(STORED_FEATURES)
    sql = f"SELECT report_id, {columns}, occurred_day FROM {triage} WHERE report_id > %s"  # noqa: S608 - our names
    params: list = [after_id]
    if report_ids is not None:
        sql += f" AND report_id IN ({', '.join(['%s'] * len(report_ids))})"
        params += report_ids
    sql += " ORDER BY report_id LIMIT %s"
    params.append(CHUNK)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        features = cursor.fetchall()
        if not features:
            return np.empty((0, len(STORED_FEATURES) + 2)), []
        statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
        # As text on both databases (psycopg would decode jsonb into lists), to compare with what we would write.
        reasons = "priority_reasons::text" if connection.vendor == "postgresql" else "priority_reasons"
        cursor.execute(
            f"SELECT id, priority, {reasons} FROM {reports} "  # noqa: S608
            f"WHERE id >= %s AND id <= %s AND status IN ({statuses}) ORDER BY id",
            [features[0][0], features[-1][0], *OPEN_STATUSES],
        )
        current = cursor.fetchall()
    return np.array(features, dtype=np.float64), current


def _write_chunk(ids: list[int], bands: list[int], reasons_json: list[str]) -> None:
    if not ids:
        return
    reports = Report._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {reports} r SET priority = v.priority, priority_reasons = v.reasons::jsonb "  # noqa: S608
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::smallint[]) AS priority, "
                "unnest(%s::text[]) AS reasons) v WHERE r.id = v.id",
                [ids, bands, reasons_json],
            )
        else:
            cursor.executemany(
                f"UPDATE {reports} SET priority = %s, priority_reasons = %s WHERE id = %s",  # noqa: S608
                list(zip(bands, reasons_json, ids, strict=True)),
            )


# Random odd multipliers: a row of per-factor "counted" flags hashes to one int64 (collisions ~ n^2 / 2^64).
_ROW_HASH = np.random.default_rng(30).integers(1, 2**62, size=len(FACTOR_NAMES), dtype=np.int64) | 1


def rescore(
    *, model: ActiveModel | None = None, report_ids: list[int] | None = None
) -> tuple[Counter, Counter, int, int]:
    """Rescore open reports (all, or just `report_ids`) with the model.

    Returns (band counts before, band counts after, reports scored, reports whose priority or reasons changed).
    Only changed reports are written.
    """
    model = model or active_model(fresh=True)
    weights, recency_weight = _weights_vector(model)
    hash_index = STORED_FEATURES.index("hash_match")
    matched = np.array(sorted(reports_with_hash_matches(report_ids)), dtype=np.int64)
    today = date.today().toordinal()
    before: Counter = Counter()
    after: Counter = Counter()
    total = written = 0
    reasons_cache: dict[int, str] = {}
    names = (*STORED_FEATURES, "recency")
    after_id = 0
    while True:
        data, current = _select_chunk(after_id, report_ids)
        if not len(data):
            break
        after_id = int(data[-1, 0])
        # Keep the rows of open reports only (closed ones keep the priority they were closed with).
        open_ids = np.fromiter((row[0] for row in current), dtype=np.int64, count=len(current))
        all_ids = data[:, 0].astype(np.int64)
        keep = np.isin(all_ids, open_ids)
        data, ids = data[keep], all_ids[keep]
        if not len(ids):
            continue
        position = {row[0]: n for n, row in enumerate(current)}
        order = [position[i] for i in ids.tolist()]
        old_bands = np.array([current[n][1] for n in order], dtype=np.int16)
        old_reasons = [current[n][2] for n in order]
        features = data[:, 1 : 1 + len(STORED_FEATURES)]
        if len(matched):
            features[:, hash_index] = np.maximum(features[:, hash_index], np.isin(ids, matched))
        recency = _recency_vector(data[:, 1 + len(STORED_FEATURES)], today)
        points = np.hstack([features * weights, (recency * recency_weight)[:, None]])
        scores = np.round(points.sum(axis=1), 2)
        bands = _bands(scores, model.thresholds)
        if len(matched):
            is_matched = np.isin(ids, matched)
            bands = np.where(is_matched, np.minimum(bands, int(KNOWN_MATERIAL_FLOOR)), bands).astype(np.int16)
            points[is_matched, hash_index] = np.maximum(points[is_matched, hash_index], MATCH_REASON_POINTS)
        # Reasons depend only on which factors counted: hash each row of flags, build each distinct list once.
        counted = points > 0
        keys = counted.astype(np.int64) @ _ROW_HASH
        unique_keys, first_rows, inverse = np.unique(keys, return_index=True, return_inverse=True)
        texts = []
        for key, row in zip(unique_keys.tolist(), first_rows.tolist(), strict=True):
            if key not in reasons_cache:
                by_name = dict(zip(names, points[row].tolist(), strict=True))
                reasons_cache[key] = json.dumps(reasons_for(by_name))
            texts.append(reasons_cache[key])
        new_reasons = [texts[i] for i in inverse.ravel().tolist()]
        band_list = bands.tolist()
        changed = [
            i
            for i, (old_band, new_band, old, new) in enumerate(
                zip(old_bands.tolist(), band_list, old_reasons, new_reasons, strict=True)
            )
            if old_band != new_band or old != new
        ]
        id_list = ids.tolist()
        with transaction.atomic():
            _write_chunk(
                [id_list[i] for i in changed], [band_list[i] for i in changed], [new_reasons[i] for i in changed]
            )
        before.update(old_bands.tolist())
        after.update(band_list)
        total += len(ids)
        written += len(changed)
    return before, after, total, written


def _counts(counter: Counter) -> dict:
    return {f"P{band}": counter.get(band, 0) for band in (1, 2, 3, 4)}


def refresh_prior_reports(subject_ids: set[int]) -> None:
    """Reports already held about these subjects gain prior reports (new reports about them came in on the set
    path, the referral import): one UPDATE of the factor for the reports
    whose factor can still change, then a rescore of just those.

    Stored counts at or above MAX_COUNTED_PRIOR_REPORTS are left as they are ("at least that many"): the
    factor cannot grow past it, and keeping exact counts would rewrite every report of a busy subject on
    every chunk (docs/adr/0074).
    """
    if not subject_ids:
        return
    triage, links = ReportTriage._meta.db_table, ReportSubject._meta.db_table
    cap = MAX_COUNTED_PRIOR_REPORTS
    ids = sorted(subject_ids)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {triage} SET prior_report_count = c.n - 1, "  # noqa: S608 - our own table names
            f"prior_reports = {'LEAST' if postgres else 'MIN'}(c.n - 1, %s) * 1.0 / %s "
            f"FROM (SELECT l.report_id, s.n FROM {links} l JOIN (SELECT subject_id, COUNT(*) AS n FROM {links} "
            f"WHERE subject_id {'= ANY(%s)' if postgres else 'IN (' + ', '.join(['%s'] * len(ids)) + ')'} "
            "GROUP BY subject_id) s ON s.subject_id = l.subject_id) c "
            f"WHERE {triage}.report_id = c.report_id AND {triage}.prior_report_count < %s "
            f"AND {triage}.prior_report_count <> c.n - 1 RETURNING {triage}.report_id",
            [cap, cap, *([ids] if postgres else ids), cap],
        )
        changed = sorted(row[0] for row in cursor.fetchall())
    from .changes import bands_of, record_linked

    for start in range(0, len(changed), 500):
        part = changed[start : start + 500]
        before = bands_of(part)
        rescore(report_ids=part)
        record_linked(before=before, detail={"linked_by": "referral import"}, factors_added={})


def rescore_all_open(*, run_id: int) -> None:
    """The background job after a model change: rescore every open report, record counts, audit."""
    from .models import RescoreRun, ScoringModelVersion

    run = RescoreRun.objects.get(pk=run_id)
    version = ScoringModelVersion.objects.get(number=run.model_version)
    started = time.perf_counter()
    before, after, total, changed = rescore(model=ActiveModel(version.number, version.weights, version.thresholds))
    run.before, run.after, run.reports = _counts(before), _counts(after), total
    run.seconds = round(time.perf_counter() - started, 2)
    run.finished_at = timezone.now()
    run.save()
    record(
        action=Action.ALTERATION,
        actor=Actor.system("triage rescoring"),
        obj=("triage.rescorerun", str(run.pk)),
        detail={
            "model_version": run.model_version,
            "reports": total,
            "changed": changed,
            "before": run.before,
            "after": run.after,
        },
    )
