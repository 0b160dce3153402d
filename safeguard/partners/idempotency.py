"""Idempotency-Key handling: a retried request gets the stored answer instead of a second report.

Same key and same request → the first response, replayed. Same key, different request → 409.
The record is written in the same transaction as the work, so it exists exactly when the work
committed. Only successful answers are stored; a rejected request changed nothing and may be retried.
"""

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from .errors import ApiError, error_response
from .models import IdempotencyRecord, Partner

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
    request: HttpRequest, partner: Partner, fp: Callable[[], str], work: Callable[[], tuple[int, dict]]
) -> HttpResponse:
    """Run `work` (returning status and JSON body) at most once per (partner, Idempotency-Key)."""
    key = request.headers.get(HEADER)
    if key is None:
        status, body = work()
        return error_response(status, body)
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.", type="invalid_header", loc=["header", HEADER]
        )
    request_fp = fp()
    existing = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
    if existing is not None:
        return _replay(existing, request_fp)
    try:
        with transaction.atomic():
            status, body = work()
            IdempotencyRecord.objects.create(
                partner=partner, key=key, fingerprint=request_fp, status_code=status, response_body=body
            )
    except IntegrityError:
        # A concurrent request with the same key won the race; answer as a retry would be.
        existing = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
        if existing is None:
            raise
        return _replay(existing, request_fp)
    return error_response(status, body)
