"""Scoring reports with the active model: one at a time in the triage task, in bulk after a model change.

Bulk rescoring never reads a narrative: it reads the stored feature columns (ReportTriage) in chunks
with plain SQL, scores them with numpy, and writes priorities back with one statement per chunk
(executemany on SQLite, UPDATE ... FROM unnest(...) on PostgreSQL).
"""

import json
import time
from collections import Counter
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report, Status

from .features import STORED_FEATURES, ActiveModel, active_model, report_features
from .models import ReportTriage
from .scoring import FACTOR_NAMES, Scored, reasons_for, score

OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.IN_REVIEW)
CHUNK = 50_000


def hash_match_count(report: Report) -> int:
    """Known-material matches on the report's files; 0 if the evidence app is not there."""
    try:
        from safeguard.evidence.models import EvidenceMatch
    except ImportError:  # pragma: no cover - evidence is optional for triage
        return 0
    return EvidenceMatch.objects.filter(evidence__report=report).count()


def reports_with_hash_matches() -> set[int]:
    try:
        from safeguard.evidence.models import EvidenceMatch
    except ImportError:  # pragma: no cover
        return set()
    return set(EvidenceMatch.objects.values_list("evidence__report_id", flat=True).distinct())


def score_and_store(report: Report, *, prior_reports: int, model: ActiveModel | None = None) -> Scored:
    """Score one report with everything known now, store features and score, set its priority."""
    model = model or active_model(fresh=True)
    features = report_features(report, prior_reports=prior_reports, hash_matches=hash_match_count(report))
    scored = score(features, model.weights, model.thresholds)
    ReportTriage.objects.update_or_create(
        report=report,
        defaults={
            **{name: features[name] for name in STORED_FEATURES},
            "occurred_day": features["_occurred_day"],
            "youngest_victim_age": features["_youngest"],
            "prior_report_count": prior_reports,
            "score": scored.score,
            "model_version": model.number,
            "scored_at": timezone.now(),
        },
    )
    report.priority = scored.band
    report.priority_reasons = scored.reasons
    return scored


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


def _select_chunk(after_id: int, report_ids: list[int] | None) -> list[tuple]:
    triage = ReportTriage._meta.db_table
    reports = Report._meta.db_table
    columns = ", ".join(f"t.{name}" for name in STORED_FEATURES)
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = (
        f"SELECT t.report_id, {columns}, t.occurred_day, r.priority FROM {triage} t "  # noqa: S608 - names are ours
        f"JOIN {reports} r ON r.id = t.report_id WHERE r.status IN ({statuses}) AND t.report_id > %s"
    )
    params: list = [*OPEN_STATUSES, after_id]
    if report_ids is not None:
        sql += f" AND t.report_id IN ({', '.join(['%s'] * len(report_ids))})"
        params += report_ids
    sql += " ORDER BY t.report_id LIMIT %s"
    params.append(CHUNK)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _write_chunk(ids, bands, reasons_json, scores, version: int, now) -> None:
    reports = Report._meta.db_table
    triage = ReportTriage._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {reports} r SET priority = v.priority, priority_reasons = v.reasons::jsonb "  # noqa: S608
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::smallint[]) AS priority, "
                "unnest(%s::text[]) AS reasons) v WHERE r.id = v.id",
                [ids, bands, reasons_json],
            )
            cursor.execute(
                f"UPDATE {triage} t SET score = v.score, model_version = %s, scored_at = %s "  # noqa: S608
                "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::float8[]) AS score) v WHERE t.report_id = v.id",
                [version, now, ids, scores],
            )
        else:
            cursor.executemany(
                f"UPDATE {reports} SET priority = %s, priority_reasons = %s WHERE id = %s",  # noqa: S608
                list(zip(bands, reasons_json, ids, strict=True)),
            )
            cursor.executemany(
                f"UPDATE {triage} SET score = %s, model_version = {int(version)}, scored_at = %s "  # noqa: S608
                "WHERE report_id = %s",
                [(s, now, i) for s, i in zip(scores, ids, strict=True)],
            )


def rescore(*, model: ActiveModel | None = None, report_ids: list[int] | None = None) -> tuple[Counter, Counter, int]:
    """Rescore open reports (all, or just `report_ids`) with the model. Returns (before, after, count)."""
    model = model or active_model(fresh=True)
    weights, recency_weight = _weights_vector(model)
    hash_index = STORED_FEATURES.index("hash_match")
    matched = reports_with_hash_matches()
    today = date.today().toordinal()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    before: Counter = Counter()
    after: Counter = Counter()
    total = 0
    reasons_cache: dict[bytes, str] = {}
    after_id = 0
    while True:
        rows = _select_chunk(after_id, report_ids)
        if not rows:
            break
        after_id = rows[-1][0]
        data = np.array(rows, dtype=np.float64)
        ids = data[:, 0].astype(np.int64)
        features = data[:, 1 : 1 + len(STORED_FEATURES)]
        if matched:
            features[:, hash_index] = np.maximum(features[:, hash_index], np.isin(ids, list(matched)))
        recency = _recency_vector(data[:, 1 + len(STORED_FEATURES)], today)
        old_bands = data[:, -1].astype(np.int16)
        points = np.hstack([features * weights, (recency * recency_weight)[:, None]])
        scores = np.round(points.sum(axis=1), 2)
        bands = _bands(scores, model.thresholds)
        # Reasons depend only on the rounded points of each factor: a few hundred distinct lists at most.
        rounded = np.rint(points).astype(np.int32)
        unique, inverse = np.unique(rounded, axis=0, return_inverse=True)
        names = (*STORED_FEATURES, "recency")
        texts = []
        for row in unique:
            cache_key = row.tobytes()
            if cache_key not in reasons_cache:
                by_name = dict(zip(names, row.tolist(), strict=True))
                reasons_cache[cache_key] = json.dumps(reasons_for({n: by_name[n] for n in FACTOR_NAMES}))
            texts.append(reasons_cache[cache_key])
        reasons_json = [texts[i] for i in inverse.ravel()]
        with transaction.atomic():
            _write_chunk(ids.tolist(), bands.tolist(), reasons_json, scores.tolist(), model.number, now)
        before.update(old_bands.tolist())
        after.update(bands.tolist())
        total += len(rows)
    return before, after, total


def _counts(counter: Counter) -> dict:
    return {f"P{band}": counter.get(band, 0) for band in (1, 2, 3, 4)}


def rescore_all_open(*, run_id: int) -> None:
    """The background job after a model change: rescore every open report, record counts, audit."""
    from .models import RescoreRun, ScoringModelVersion

    run = RescoreRun.objects.get(pk=run_id)
    version = ScoringModelVersion.objects.get(number=run.model_version)
    started = time.perf_counter()
    before, after, total = rescore(model=ActiveModel(version.number, version.weights, version.thresholds))
    run.before, run.after, run.reports = _counts(before), _counts(after), total
    run.seconds = round(time.perf_counter() - started, 2)
    run.finished_at = timezone.now()
    run.save()
    record(
        action=Action.ALTERATION,
        actor=Actor.system("triage rescoring"),
        obj=("triage.rescorerun", str(run.pk)),
        detail={"model_version": run.model_version, "reports": total, "before": run.before, "after": run.after},
    )
