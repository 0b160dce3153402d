"""Idempotency-Key handling: a retried request gets the stored answer instead of a second report.

Same key and same request → the first response, replayed. Same key, different request → 409.
The record is written in the same transaction as the work, so it exists exactly when the work
committed; the unique (partner, key) constraint decides which of two racing requests wins.
Only successful answers are stored; a rejected request changed nothing and may be retried.
"""

import hashlib
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from safeguard.audit.services import appended_at_end, insert_at_end
from safeguard.core.rows import new_rows

from .errors import ApiError, error_response
from .models import IdempotencyRecord, Partner, one_or_none

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def fingerprint(request: HttpRequest, *parts: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _replay(record: IdempotencyRecord, fp: str) -> HttpResponse:
    if record.fingerprint != fp:
        raise ApiError(
            409,
            "This Idempotency-Key was already used for a different request.",
            type="idempotency_conflict",
            loc=["header", HEADER],
        )
    response = error_response(record.status_code, record.response_body)
    response["Idempotent-Replayed"] = "true"
    return response


def run_once(
    request: HttpRequest,
    partner: Partner,
    fp: Callable[[], str],
    work: Callable[[], tuple[int, dict]],
    *,
    look_first: bool = False,
) -> HttpResponse:
    """Run `work` (returning status and JSON body) at most once per (partner, Idempotency-Key).

    look_first=True checks for a stored answer before working: for work with effects outside the
    database (evidence files), which a rolled-back retry would otherwise leave behind.
    """
    key = request.headers.get(HEADER)
    if key is None:
        with transaction.atomic(), appended_at_end():
            status, body = work()
        return error_response(status, body)
    if not key or len(key) > MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise ApiError(
            422,
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            type="invalid_header",
            loc=["header", HEADER],
        )
    request_fp = fp()
    if look_first:
        existing = one_or_none(IdempotencyRecord.objects.filter(partner=partner, key=key))
        if existing is not None:
            return _replay(existing, request_fp)
    # Optimistic: most keys are new, so do the work and let the unique constraint catch a retry
    # (its work is then rolled back and the stored answer replayed). Saves a query per request.
    try:
        # The audit entries go on the chain last, just before the commit, and this record with them in
        # the same statement (audit.appended_at_end, insert_at_end): a retry's clash shows there.
        with transaction.atomic(), appended_at_end():
            status, body = work()
            [answer] = new_rows(  # without Model.__init__ (core/rows.py): nothing reads its relations
                IdempotencyRecord,
                [
                    {
                        "partner_id": partner.pk,
                        "key": key,
                        "fingerprint": request_fp,
                        "status_code": status,
                        "response_body": body,
                    }
                ],
            )
            insert_at_end(answer)
    except Exception:
        # The insert hit the unique constraint, or the work refused (e.g. "already finished")
        # because the first attempt did it: either way a stored answer means this is a retry.
        existing = one_or_none(IdempotencyRecord.objects.filter(partner=partner, key=key))
        if existing is None:
            raise
        return _replay(existing, request_fp)
    return error_response(status, body)
