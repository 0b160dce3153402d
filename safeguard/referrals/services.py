"""Writes for bulk referrals: create an import, run it in chunks with a checkpoint, pause/resume/cancel, allocate.

An import runs as a background task (tasks.run_referral_import) or in the foreground from the
`import_referrals` command. Each chunk of CHUNK records is one transaction with the import's checkpoint
and counters, so a crash loses at most the chunk in progress and a resume never repeats a line.
"""

import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability
from safeguard.audit.services import Action, Actor, record
from safeguard.reporting.models import Report
from safeguard.triage.features import active_model

from . import parsers
from . import workers as worker_pool
from .models import FINISHED_STATES, ImportFormat, ImportState, LineOutcome, ReferralImport, ReferralLine
from .pipeline import commit_chunk, prepare_chunk
from .routing import Suggester, make_suggester

CHUNK = 5_000
# A chunk also ends after this many bytes of the file, so a file of long lines (each up to parsers.MAX_LINE_BYTES)
# never gathers 5,000 of them in memory. Ordinary referrals (about 0.6 KB a JSON line, 1.4 KB an XML report) fill
# 5,000 records in 3-7 MB, so ordinary chunks are unchanged.
CHUNK_BYTES = 16 * 1024**2
# A running import writes `heartbeat_at` after every chunk and, while it reads, at least every HEARTBEAT_EVERY; one
# whose heartbeat is older than STALE_AFTER has lost its worker and is requeued by `recover_stalled_imports` (run
# by the scheduler every 5 s, its loop checking every 5 s), so a dead import carries on within a minute (ADR 0100).
HEARTBEAT_EVERY = timedelta(seconds=10)
STALE_AFTER = timedelta(seconds=45)
EXTERNAL_PREFIX = "file:"  # stored_name of a file the command reads in place (too big to copy)


def _storage():
    return storages["evidence"]


def max_upload_bytes() -> int:
    """The largest referral file accepted through the web page: SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES (docs/adr/0100)."""
    return int(settings.SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES)


def max_upload_text() -> str:
    limit = max_upload_bytes()
    return f"{limit // 1024**2} MB" if limit >= 1024**2 else f"{limit // 1024} KB"


def too_big_message() -> str:
    return (
        f"The file is larger than {max_upload_text()}, the most a referral file may be through this page. "
        "Split it into files under the limit, or ask an operator to import it with the import_referrals command."
    )


def open_file(imp: ReferralImport):
    if imp.stored_name.startswith(EXTERNAL_PREFIX):
        return open(imp.stored_name[len(EXTERNAL_PREFIX) :], "rb")
    return _storage().open(imp.stored_name, "rb")


def _check_format(fmt: str) -> str:
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": "Choose XML, CSV or JSON Lines"})
    return fmt


def create_import(
    *,
    user,
    partner: str,
    fmt: str,
    original_name: str,
    upload=None,
    path: str | Path | None = None,
    column_mapping: dict | None = None,
    check: bool = True,
) -> ReferralImport:
    """Store the file (or, from the command, note its path) and create the import, not yet started.

    `check=False` only for the management command run by an operator without a staff account (recorded
    in the audit log as the system).
    """
    if check:
        check_capability(user, Capability.IMPORT_REFERRALS)
    partner = (partner or "").strip()
    errors = {}
    if not partner:
        errors["partner"] = "Enter the partner agency that sent the file"
    try:
        _check_format(fmt)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if upload is not None and upload.size > max_upload_bytes():
        errors["file"] = too_big_message()
    if upload is not None and upload.size == 0:
        errors["file"] = "The file is empty"
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        stored = _storage().save(f"referrals/{uuid.uuid4().hex}", upload)
        size = upload.size
    else:
        path = Path(path).resolve()
        stored, size = f"{EXTERNAL_PREFIX}{path}", path.stat().st_size
    with transaction.atomic():
        imp = ReferralImport.objects.create(
            partner=partner[:200],
            format=fmt,
            original_name=original_name[:255],
            stored_name=stored,
            size=size,
            column_mapping=column_mapping or {},
            created_by=user,
        )
        record(
            action=Action.COLLECTION,
            actor=Actor.of(user) if user is not None else Actor.system("import_referrals command"),
            obj=imp,
            detail={"partner": imp.partner, "file": imp.original_name, "bytes": size, "format": fmt},
        )
    return imp


def csv_header(imp: ReferralImport) -> list[str]:
    with open_file(imp) as stream:
        return parsers.csv_header(stream)


def csv_mapping_problems(imp: ReferralImport) -> tuple[list[str], list[str]]:
    """(file header, problems with it under the import's mapping)."""
    header = csv_header(imp)
    _, problems = parsers.resolve_columns(header, imp.column_mapping)
    return header, problems


def set_mapping(*, user, imp: ReferralImport, mapping: dict[str, str]) -> list[str]:
    check_capability(user, Capability.IMPORT_REFERRALS)
    if imp.state != ImportState.QUEUED or imp.checkpoint:
        raise ValidationError("The columns can be mapped only before the import starts")
    imp.column_mapping = {k: v for k, v in mapping.items()}
    imp.save(update_fields=["column_mapping"])
    return csv_mapping_problems(imp)[1]


def queue(imp: ReferralImport) -> None:
    """Hand the import to the background worker (after the current transaction commits)."""
    from .tasks import run_referral_import

    transaction.on_commit(lambda: run_referral_import.enqueue(imp.pk))


def start(*, user, imp: ReferralImport) -> None:
    check_capability(user, Capability.IMPORT_REFERRALS)
    if imp.format == ImportFormat.CSV:
        try:
            _, problems = csv_mapping_problems(imp)
        except parsers.FileProblem as exc:
            problems = [str(exc)]
        if problems:
            raise ValidationError(problems)
    queue(imp)


def request_pause(*, user, imp: ReferralImport) -> ReferralImport:
    check_capability(user, Capability.IMPORT_REFERRALS)
    with transaction.atomic():
        imp = ReferralImport.objects.select_for_update().get(pk=imp.pk)
        if imp.state == ImportState.QUEUED:
            imp.state = ImportState.PAUSED
        elif imp.state == ImportState.RUNNING:
            imp.requested_state = ImportState.PAUSED  # the worker stops after the chunk in hand
        else:
            raise ValidationError(f"An import that is {imp.get_state_display().lower()} cannot be paused")
        imp.save(update_fields=["state", "requested_state"])
        record(action=Action.ALTERATION, actor=Actor.of(user), obj=imp, detail={"requested": "pause"})
    return imp


def is_stale(imp: ReferralImport) -> bool:
    return (
        imp.state == ImportState.RUNNING
        and imp.heartbeat_at is not None
        and (timezone.now() - imp.heartbeat_at > STALE_AFTER)
    )


def seconds_since_heartbeat(imp: ReferralImport) -> int | None:
    return int((timezone.now() - imp.heartbeat_at).total_seconds()) if imp.heartbeat_at else None


def stalled_imports():
    """Running imports whose heartbeat is older than STALE_AFTER: their worker died (or the machine went)."""
    return ReferralImport.objects.filter(state=ImportState.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER)


def recover_stalled_imports() -> list[int]:
    """Requeue every stalled import from its checkpoint (chunks are idempotent: nothing is done twice).

    A pause or cancel asked for before the worker died is honoured instead. Each recovery is audited. Run by the
    scheduler every 5 s (`manage.py recover_stalled_imports`), so a dead import carries on within STALE_AFTER plus
    at most 10 s (under a minute) on whichever worker is free.
    """
    recovered = []
    for pk in stalled_imports().values_list("pk", flat=True):
        with transaction.atomic():
            imp = ReferralImport.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if imp is None or not is_stale(imp):
                continue  # taken by a live run meanwhile
            asked = imp.requested_state
            if asked == ImportState.CANCELLED:
                imp.state, imp.finished_at = ImportState.CANCELLED, timezone.now()
            elif asked == ImportState.PAUSED:
                imp.state = ImportState.PAUSED
            else:
                imp.state = ImportState.QUEUED
            imp.requested_state = ""
            imp.save(update_fields=["state", "requested_state", "finished_at"])
            record(
                action=Action.ALTERATION,
                actor=Actor.system("referral import recovery"),
                obj=imp,
                detail={
                    "recovered": imp.state,
                    "heartbeat_at": imp.heartbeat_at.isoformat() if imp.heartbeat_at else None,
                    "checkpoint": imp.checkpoint,
                },
            )
            if imp.state == ImportState.QUEUED:
                queue(imp)
            recovered.append(imp.pk)
    return recovered


def resume(*, user, imp: ReferralImport) -> ReferralImport:
    """Resume a paused import, or one whose worker died (no progress for STALE_AFTER): from its checkpoint."""
    check_capability(user, Capability.IMPORT_REFERRALS)
    with transaction.atomic():
        imp = ReferralImport.objects.select_for_update().get(pk=imp.pk)
        if not (imp.state == ImportState.PAUSED or is_stale(imp)):
            raise ValidationError("Only a paused import, or one that has stopped making progress, can be resumed")
        imp.state, imp.requested_state = ImportState.QUEUED, ""
        imp.save(update_fields=["state", "requested_state"])
        record(action=Action.ALTERATION, actor=Actor.of(user), obj=imp, detail={"requested": "resume"})
        queue(imp)
    return imp


def cancel(*, user, imp: ReferralImport, check: bool = True) -> ReferralImport:
    """Stop for good. Lines already committed stay (each is a report the centre now holds); nothing more is read."""
    if check:
        check_capability(user, Capability.IMPORT_REFERRALS)
    with transaction.atomic():
        imp = ReferralImport.objects.select_for_update().get(pk=imp.pk)
        if imp.state in FINISHED_STATES:
            raise ValidationError("This import has already finished")
        if imp.state == ImportState.RUNNING and not is_stale(imp):
            imp.requested_state = ImportState.CANCELLED
        else:
            imp.state, imp.finished_at = ImportState.CANCELLED, timezone.now()
        imp.save(update_fields=["state", "requested_state", "finished_at"])
        actor = Actor.of(user) if user is not None else Actor.system("import_referrals command")
        record(action=Action.ALTERATION, actor=actor, obj=imp, detail={"requested": "cancel"})
    return imp


# --- running --------------------------------------------------------------------------------------------


def _claim(import_id: int) -> ReferralImport | None:
    with transaction.atomic():
        imp = ReferralImport.objects.select_for_update().filter(pk=import_id).first()
        if imp is None or not (imp.state == ImportState.QUEUED or is_stale(imp)):
            return None
        imp.state = ImportState.RUNNING
        imp.started_at = imp.started_at or timezone.now()
        imp.heartbeat_at = timezone.now()
        imp.save(update_fields=["state", "started_at", "heartbeat_at"])
    return imp


class Superseded(Exception):
    """Another run took this import over (it was found stalled and requeued): this run stops without a word."""


class _Beating:
    """The import's file, writing the heartbeat at least every HEARTBEAT_EVERY while it is read."""

    def __init__(self, stream, imp: ReferralImport):
        self.stream, self.imp = stream, imp
        self.last = time.monotonic()

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() - self.last >= HEARTBEAT_EVERY.total_seconds():
            beat(self.imp)
        return self.stream.read(size)

    def peek(self, size: int = 0) -> bytes:
        return self.stream.peek(size) if hasattr(self.stream, "peek") else b""

    def beaten(self) -> None:
        self.last = time.monotonic()


def beat(imp: ReferralImport) -> None:
    """This run is alive: outside any chunk's transaction, so other processes see it at once."""
    ReferralImport.objects.filter(pk=imp.pk, state=ImportState.RUNNING).update(heartbeat_at=timezone.now())
    beating = getattr(imp, "_beating", None)
    if beating is not None:
        beating.beaten()


def _commit_chunk(imp: ReferralImport, prepared, *, model, suggester: Suggester, actor: Actor, seconds: float):
    with transaction.atomic():
        held = ReferralImport.objects.select_for_update().filter(pk=imp.pk).values_list("state", "checkpoint").first()
        if held != (ImportState.RUNNING, imp._expected_checkpoint):
            raise Superseded  # found stalled and requeued while this run was slow: the other run goes on
        result = commit_chunk(imp=imp, prepared=prepared, model=model, suggester=suggester, actor=actor)
        ReferralImport.objects.filter(pk=imp.pk).update(
            checkpoint=prepared.last_line,
            bytes_read=prepared.last_offset,
            records_read=F("records_read") + result.read,
            accepted=F("accepted") + result.accepted,
            rejected=F("rejected") + result.rejected,
            duplicates=F("duplicates") + result.duplicates,
            linked=F("linked") + result.linked,
            deconfliction_notices=F("deconfliction_notices") + result.notices,
            seconds_running=F("seconds_running") + seconds,
            heartbeat_at=timezone.now(),
        )
    imp._expected_checkpoint = prepared.last_line
    if getattr(imp, "_beating", None) is not None:
        imp._beating.beaten()
    return result


def _finish(imp: ReferralImport, state: str, *, error: str = "", seconds: float = 0.0) -> None:
    ReferralImport.objects.filter(pk=imp.pk).update(
        state=state,
        requested_state="",
        fatal_error=error[:1000],
        finished_at=timezone.now() if state in FINISHED_STATES else None,
        seconds_running=F("seconds_running") + seconds,
    )


def _chunks(imp: ReferralImport, stream, chunk_size: int):
    """Records after the checkpoint, in chunks of `chunk_size` records or CHUNK_BYTES of the file, whichever
    comes first. On a file problem the records before it still come out first."""
    chunk: list = []
    chunk_from = 0  # bytes of the file read when the chunk in hand began
    try:
        for item in parsers.open_records(stream, imp.format, imp.column_mapping, undecoded=True):
            if item.line_no <= imp.checkpoint:
                chunk_from = item.offset
                continue
            chunk.append(item)
            if len(chunk) >= chunk_size or item.offset - chunk_from >= CHUNK_BYTES:
                yield chunk
                chunk, chunk_from = [], item.offset
    except parsers.FileProblem:
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def default_workers() -> int:
    """Worker processes for the prepare step: REFERRALS_PREPARE_WORKERS, default 0 (all in this process)."""
    return int(getattr(settings, "REFERRALS_PREPARE_WORKERS", 0))


def default_overlap() -> bool:
    """Prepare the next chunk on a thread while this one commits: REFERRALS_PREPARE_THREAD, default off.

    Off because on the shared 2-core machine the thread lost: the GIL hand-overs cost ~20% more CPU than the
    PostgreSQL waits it hides (ADR 0076). Worth trying where a core is free while an import runs.
    """
    return bool(getattr(settings, "REFERRALS_PREPARE_THREAD", False))


def _executor(workers: int, overlap: bool):
    """(executor, prepare function, chunks prepared ahead) for the prepare step (ADRs 0073, 0076)."""
    if workers > 0:
        return worker_pool.pool(workers), worker_pool.prepare, workers + 1
    if overlap:
        return worker_pool.thread(), worker_pool.prepare_in_thread, 1
    return None, None, 0


def run_import(
    import_id: int,
    *,
    chunk_size: int = CHUNK,
    workers: int | None = None,
    overlap: bool | None = None,
    on_progress: Callable[[ReferralImport], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> ReferralImport | None:
    """Process the import from its checkpoint to the end of the file, a pause, or a cancel.

    Idempotent: records at or before the checkpoint are skipped, so running it again after a crash goes on
    where the last committed chunk ended. With `workers`, chunks are prepared in that many worker processes
    while this one commits; otherwise, with `overlap` (REFERRALS_PREPARE_THREAD), the next chunk is prepared on a
    thread while this one commits (ADR 0076). Commits are always on this thread, in file order, one transaction each.
    """
    imp = _claim(import_id)
    if imp is None:
        return None
    imp._expected_checkpoint = imp.checkpoint
    workers = default_workers() if workers is None else workers
    actor = Actor.of(imp.created_by) if imp.created_by else Actor.system("referral import")
    model = active_model(fresh=True)
    suggester = make_suggester()
    overlap = default_overlap() if overlap is None else overlap
    executor, prepare, depth = _executor(workers, overlap)
    # depth: chunks prepared ahead of the one being committed; bounded, so memory stays flat. A chunk prepared
    # ahead but not committed (pause, cancel, crash) is simply dropped: the checkpoint is where a resume starts.
    pending: deque = deque()
    started = time.perf_counter()
    chunks_done = 0

    def commit_next() -> str | None:
        nonlocal started, chunks_done
        prepared = pending.popleft().result()
        _commit_chunk(
            imp, prepared, model=model, suggester=suggester, actor=actor, seconds=time.perf_counter() - started
        )
        started = time.perf_counter()
        chunks_done += 1
        if after_chunk is not None:
            after_chunk(chunks_done)
        imp.refresh_from_db()
        if on_progress is not None:
            on_progress(imp)
        return imp.requested_state or None

    file_problem = None
    try:
        with (
            worker_pool.tuned_for_import(overlapping=prepare is worker_pool.prepare_in_thread),
            open_file(imp) as stream,
        ):
            imp._beating = _Beating(stream, imp)
            try:
                for chunk in _chunks(imp, imp._beating, chunk_size):
                    if executor:
                        pending.append(executor.submit(prepare, chunk, imp.pk, imp.partner))
                    else:
                        pending.append(worker_pool.done(prepare_chunk(chunk, import_pk=imp.pk, partner=imp.partner)))
                    while len(pending) > depth:
                        if stop := commit_next():
                            _finish(imp, stop)
                            return _reload(imp)
            except parsers.FileProblem as exc:
                file_problem = exc
            while pending:
                if stop := commit_next():
                    _finish(imp, stop)
                    return _reload(imp)
    except Superseded:
        return _reload(imp)
    except Exception as exc:
        # Not the file's fault (a database outage, a bug): keep everything committed and let staff resume.
        _finish(imp, ImportState.PAUSED, error=f"Stopped by an unexpected error ({type(exc).__name__}); resume")
        raise
    finally:
        if executor:
            executor.shutdown(cancel_futures=True)
    if file_problem is not None:
        _finish(imp, ImportState.FAILED, error=str(file_problem))
    else:
        _finish(imp, ImportState.COMPLETED, seconds=time.perf_counter() - started)
    return _reload(imp)


def _reload(imp: ReferralImport) -> ReferralImport:
    imp.refresh_from_db()
    return imp


# --- after review: allocation and bulk dissemination ----------------------------------------------------


def _chosen_lines(imp: ReferralImport, *, bands: Iterable[int], recipient_id: int | None):
    lines = ReferralLine.objects.filter(
        referral_import=imp, outcome=LineOutcome.ACCEPTED, priority__in=list(bands), report__isnull=False
    )
    if recipient_id:
        lines = lines.filter(suggested_recipient_id=recipient_id)
    return lines


def allocate(
    *, user, imp: ReferralImport, bands: Iterable[int], assignees: list, recipient_id: int | None = None
) -> int:
    """Share the chosen lines' reports among the chosen staff, highest priority first, in turn. Returns the count."""
    check_capability(user, Capability.ALLOCATE_REFERRALS)
    bands = [int(b) for b in bands]
    if not bands:
        raise ValidationError({"bands": "Choose at least one priority band"})
    if not assignees:
        raise ValidationError({"assignees": "Choose at least one person to allocate to"})
    with transaction.atomic():
        report_ids = list(
            _chosen_lines(imp, bands=bands, recipient_id=recipient_id)
            .filter(report__assigned_to__isnull=True)
            .order_by("priority", "-score", "line_no")
            .values_list("report_id", flat=True)
        )
        shares: dict[int, list[int]] = {
            person.pk: report_ids[n :: len(assignees)] for n, person in enumerate(assignees)
        }
        for person in assignees:
            ids = shares[person.pk]
            for start in range(0, len(ids), 500):
                Report.objects.filter(pk__in=ids[start : start + 500]).update(
                    assigned_to=person, updated_at=timezone.now()
                )
        ReferralImport.objects.filter(pk=imp.pk).update(allocated_at=timezone.now())
        record(
            action=Action.ALTERATION,
            actor=Actor.of(user),
            obj=imp,
            detail={
                "allocated": {str(person.pk): shares[person.pk] for person in assignees},
                "bands": bands,
                "recipient": recipient_id,
            },
        )
    return len(report_ids)


def disseminate(*, user, imp: ReferralImport, bands: Iterable[int], recipient_id: int | None = None) -> list:
    """One draft dissemination per suggested recipient, holding the chosen lines' reports. Returns the drafts."""
    from safeguard.dissemination.services import create_draft_dissemination
    from safeguard.routing.models import Recipient

    check_capability(user, Capability.ALLOCATE_REFERRALS)
    bands = [int(b) for b in bands]
    if not bands:
        raise ValidationError({"bands": "Choose at least one priority band"})
    by_recipient: dict[int, list[int]] = {}
    rows = (
        _chosen_lines(imp, bands=bands, recipient_id=recipient_id)
        .filter(suggested_recipient__isnull=False)
        .order_by("priority", "line_no")
        .values_list("suggested_recipient_id", "report_id")
    )
    for rid, report_id in rows:
        by_recipient.setdefault(rid, []).append(report_id)
    if not by_recipient:
        raise ValidationError("No chosen line has a suggested recipient")
    drafts = []
    with transaction.atomic():
        for recipient in Recipient.objects.filter(pk__in=list(by_recipient)).order_by("name"):
            ids = by_recipient[recipient.pk]
            drafts.append(
                create_draft_dissemination(
                    actor=user,
                    recipient=recipient,
                    report_ids=ids,
                    summary=f"Bulk referral from {imp.partner} (import {imp.pk}): {len(ids)} lines of enquiry.",
                )
            )
    return drafts
