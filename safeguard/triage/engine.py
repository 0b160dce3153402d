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


def _select_chunk(after_id: int, report_ids: list[int] | None) -> list[tuple]:
    triage = ReportTriage._meta.db_table
    reports = Report._meta.db_table
    columns = ", ".join(f"t.{name}" for name in STORED_FEATURES)
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = (
        f"SELECT t.report_id, {columns}, t.occurred_day, r.priority, r.priority_reasons "  # noqa: S608 - our names
        f"FROM {triage} t JOIN {reports} r ON r.id = t.report_id WHERE r.status IN ({statuses}) AND t.report_id > %s"
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
    matched = np.array(sorted(reports_with_hash_matches()), dtype=np.int64)
    today = date.today().toordinal()
    before: Counter = Counter()
    after: Counter = Counter()
    total = written = 0
    reasons_cache: dict[int, str] = {}
    names = (*STORED_FEATURES, "recency")
    after_id = 0
    while True:
        rows = _select_chunk(after_id, report_ids)
        if not rows:
            break
        after_id = rows[-1][0]
        width = len(STORED_FEATURES) + 3
        data = np.array([row[:width] for row in rows], dtype=np.float64)
        old_reasons = [row[width] for row in rows]
        ids = data[:, 0].astype(np.int64)
        features = data[:, 1 : 1 + len(STORED_FEATURES)]
        if len(matched):
            features[:, hash_index] = np.maximum(features[:, hash_index], np.isin(ids, matched))
        recency = _recency_vector(data[:, 1 + len(STORED_FEATURES)], today)
        old_bands = data[:, -1].astype(np.int16)
        points = np.hstack([features * weights, (recency * recency_weight)[:, None]])
        scores = np.round(points.sum(axis=1), 2)
        bands = _bands(scores, model.thresholds)
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
        total += len(rows)
        written += len(changed)
    return before, after, total, written


def _counts(counter: Counter) -> dict:
    return {f"P{band}": counter.get(band, 0) for band in (1, 2, 3, 4)}


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
