"""The partner reporting API (django-ninja), mounted at /api/v1/.

Open a report, attach files, finish it — or submit in one go, or many at once. Every error has
one shape (errors.py); every step can be retried safely with an Idempotency-Key (idempotency.py).
"""

import functools
import hashlib
import json
import re
from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, WithJsonSchema

from safeguard.evidence import self_reported
from safeguard.evidence.hidden_content import warnings_for_stored

from . import idempotency, keys, limits, selectors, services
from .errors import ApiError, error_body, error_response, not_found, pydantic_errors
from .models import ApiKey, Partner, PartnerReport, Scope
from .schemas import (
    BatchIn,
    BatchItemRejected,
    BatchOut,
    ErrorOut,
    FeedPageOut,
    FileDetailsIn,
    FileOut,
    MatchesIn,
    MatchesOut,
    MatchIn,
    OpenReportIn,
    ReportIn,
    ReportOut,
)

UPLOAD_OVERHEAD = 64 * 1024  # multipart boundaries and the details field


class PartnerKeyAuth(HttpBearer):
    """Bearer sgk_<prefix>_<secret>. Also refuses oversize bodies before anything reads them."""

    openapi_bearerFormat = "sgk_<prefix>_<secret>"

    def __call__(self, request: HttpRequest):
        _refuse_oversize(request)
        result = keys.authenticate(request.headers.get("Authorization", ""))
        if isinstance(result, keys.KeyProblem):
            kind = "unauthenticated" if result.status == 401 else "forbidden"
            raise ApiError(result.status, result.message, type=kind, headers={"WWW-Authenticate": "Bearer"})
        return result

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - __call__ does it all
        return None


def _refuse_oversize(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiError(
            400, "Content-Length is not a number.", type="bad_request", loc=["header", "Content-Length"]
        ) from None
    is_upload = request.path.endswith("/files")
    limit = settings.SAFEGUARD_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD if is_upload else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length > limit:
        raise ApiError(
            413, f"The request body is {length} bytes; the limit is {limit}.", type="too_large", loc=["body"]
        )


api = NinjaAPI(
    title="Safeguard partner reporting API",
    version="1.0.0",
    description=(
        "For industry partners' trust & safety systems. Open a report, attach files, finish it; or submit "
        "complete reports singly (`finish: true`) or in batches. Send `Idempotency-Key` to make retries safe. "
        "See docs/partners-api.md."
    ),
    auth=PartnerKeyAuth(),
    urls_namespace="partner_api",
)


def _batch_schema() -> dict:
    """BatchIn as documented: each item is a ReportIn (validated one by one, not all-or-nothing)."""
    item = ReportIn.model_json_schema(ref_template="#/components/schemas/{model}")
    item.pop("$defs", None)
    schema = BatchIn.model_json_schema()
    schema["properties"]["reports"]["items"] = item
    return schema


ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}

# What each error status means, for the OpenAPI document (every operation answers all of them in the
# ErrorOut shape), with the headers that always come with 401 and 429.
ERROR_DESCRIPTIONS = {
    400: "A header could not be read (e.g. Content-Length is not a number).",
    401: "No API key, or an unknown, wrong, expired or revoked one.",
    403: "The partner is suspended, or the key lacks this operation's scope.",
    404: "No such report for this partner (or no such endpoint).",
    409: "Not allowed in the report's state, or the Idempotency-Key was used for a different request.",
    413: "The body is larger than allowed (refused from Content-Length, before it is read).",
    422: "Validation failed: each bad or unknown field with its path (types are strict: see ADR 0104).",
    429: "Rate limit or daily quota reached.",
}
IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "description": "Makes a retry safe: the same key and request get the first answer again (see docs).",
    # Printable ASCII, no leading or trailing space (HTTP would strip it), at most MAX_KEY_LENGTH.
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": idempotency.MAX_KEY_LENGTH,
        "pattern": r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$",
    },
}


def _documented(*, idempotent: bool = True, **extra) -> dict:
    """openapi_extra for an operation: the error statuses described, their headers, Idempotency-Key."""
    responses: dict = {status: {"description": text} for status, text in ERROR_DESCRIPTIONS.items()}
    responses[401]["headers"] = {
        "WWW-Authenticate": {"description": "Bearer", "required": True, "schema": {"type": "string"}}
    }
    responses[429]["headers"] = {
        "Retry-After": {
            "description": "Seconds until the limit resets.",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    }
    for status, detail in extra.pop("responses", {}).items():
        responses.setdefault(status, {}).update(detail)
    doc = {"responses": responses, **extra}
    if idempotent:
        doc["parameters"] = [dict(IDEMPOTENCY_KEY_PARAMETER)]
    return doc


# --- one error shape for everything ------------------------------------------------------------


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(exc.status, error_body(exc.message, type=exc.type, loc=exc.loc), exc.headers)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    return error_response(422, {"errors": pydantic_errors(exc.errors)})


@api.exception_handler(services.WorkflowError)
def _workflow_error(request, exc: services.WorkflowError):
    status = 413 if exc.type == "too_large" else 409
    return error_response(status, error_body(exc.message, type=exc.type))


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return error_response(
        401, error_body("Send a valid API key.", type="unauthenticated"), {"WWW-Authenticate": "Bearer"}
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, error_body("Not found.", type="not_found"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return error_response(exc.status_code, error_body(str(exc), type="http_error"))


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return error_response(413, error_body("The request body is too large.", type="too_large", loc=["body"]))


# --- helpers ------------------------------------------------------------------------------------


def _partner(request: HttpRequest, scope: Scope, *, reports: int = 0) -> Partner:
    key: ApiKey = request.auth
    if scope not in key.scopes:
        raise ApiError(403, f"This API key does not have the {scope} scope.", type="insufficient_scope")
    exceeded = limits.charge(key.partner, reports=reports)
    if exceeded:
        raise ApiError(429, exceeded.message, type="rate_limited", headers={"Retry-After": str(exceeded.retry_after)})
    return key.partner


PUBLIC_STATUS = {"received": "received", "triaged": "triaged", "in_review": "triaged", "actioned": "actioned"}


_DATETIME_JSON = TypeAdapter(datetime)


def _report_out(partner_report: PartnerReport, *, files: int | None = None) -> dict:
    """ReportOut as JSON, built directly: a ReportOut instance and its dump cost more than the rest of
    this function together, on every submission (ADR 0019). ReportOut still documents it, and a test
    checks that the two agree."""
    report = partner_report.report
    expires = partner_report.expires_at if partner_report.state == "open" else None
    return {
        "id": str(partner_report.public_id),
        "state": str(partner_report.state),
        "expiresAt": None if expires is None else _DATETIME_JSON.dump_python(expires, mode="json"),
        "reference": report.reference if report else None,
        "status": PUBLIC_STATUS.get(report.status, "closed") if report else None,
        "files": files if files is not None else 0,
    }


def _own_report(partner: Partner, report_id: UUID) -> PartnerReport:
    partner_report = selectors.report_of_partner(partner=partner, public_id=report_id)
    if partner_report is None:
        raise not_found()
    return partner_report


def _document(payload: ReportIn) -> dict:
    return payload.model_dump(mode="json", exclude_none=True, exclude={"finish"})


# --- endpoints ----------------------------------------------------------------------------------


@api.post(
    "/reports",
    response={201: ReportOut, **ERRORS},
    summary="Open a report (or submit it, with finish: true)",
    openapi_extra=_documented(responses={201: {"description": "The report, open (or finished with finish: true)."}}),
)
def open_report(request: HttpRequest, payload: OpenReportIn):
    partner = _partner(request, Scope.SUBMIT, reports=1)

    def work():
        partner_report = services.open_report(partner=partner, payload=_document(payload), finish=payload.finish)
        return 201, _report_out(partner_report)

    return idempotency.run_once(request, partner, lambda: idempotency.fingerprint(request, request.body), work)


@api.post(
    "/reports/batch",
    response={200: BatchOut, **ERRORS},
    summary="Submit many complete reports; each item is accepted or rejected on its own",
    openapi_extra=_documented(
        requestBody={"required": True, "content": {"application/json": {"schema": _batch_schema()}}},
        responses={
            200: {
                "description": (
                    "The batch was read: each item is accepted (ok: true, with its id and reference) or "
                    "rejected (ok: false, with its errors) on its own, so 200 even when some or all are "
                    "rejected. A body that is not a batch at all is a 422."
                )
            }
        },
    ),
)
def submit_batch(request: HttpRequest) -> HttpResponse:
    documents = _all_valid_documents(request.body)
    if documents is None:  # something is wrong: the item-by-item path finds what, with the usual errors
        try:
            document = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(422, f"The body is not valid JSON: {exc}", type="json_invalid", loc=["body"]) from exc
        try:
            items = BatchIn.model_validate(document).reports
        except ValidationError as exc:
            raise _batch_shape_error(exc) from None
    partner = _partner(request, Scope.SUBMIT, reports=len(items if documents is None else documents))

    def work():
        if documents is None:
            valid, results = _batch_documents(items)
        else:
            valid, results = list(enumerate(documents)), [None] * len(documents)
        created = services.submit_batch(partner=partner, payloads=[doc for _, doc in valid])
        for (index, _), (partner_report, report) in zip(valid, created, strict=True):
            results[index] = {
                "index": index,
                "ok": True,
                "id": str(partner_report.public_id),
                "reference": report.reference,
                "errors": [],
            }
        body = {"accepted": len(created), "rejected": len(results) - len(created), "results": results}
        return 200, body

    return idempotency.run_once(request, partner, lambda: idempotency.fingerprint(request, request.body), work)


_REPORT_LIST = TypeAdapter(list[ReportIn])


class _ValidBatch(BaseModel):
    """BatchIn with its items validated as ReportIn: a body pydantic can validate straight from bytes."""

    model_config = ConfigDict(extra="forbid")
    reports: Annotated[list[ReportIn], *BatchIn.model_fields["reports"].metadata]  # BatchIn's length limits


_VALID_BATCH = TypeAdapter(_ValidBatch)


def _all_valid_documents(body: bytes) -> list[dict] | None:
    """Every item's document when the whole body is a valid batch, else None.

    The usual case, in two calls: pydantic parses and validates the bytes in one pass (no json.loads,
    no intermediate dicts; ADR 0018, round 4). Anything it refuses goes the item-by-item way, so
    errors and the per-item results read exactly as before.
    """
    try:
        batch = _VALID_BATCH.validate_json(body)
    except ValidationError:
        return None
    return _REPORT_LIST.dump_python(batch.reports, mode="json", exclude_none=True)


def _batch_documents(items: list[dict]) -> tuple[list[tuple[int, dict]], list[dict | None]]:
    """(index, document) of each valid item, and a result slot per item holding the invalid ones' errors.

    Usually every item is valid: then the whole list is validated and dumped in one call each
    (pydantic's loop, not ours); only a list with a bad item is gone through item by item.
    """
    results: list[dict | None] = [None] * len(items)
    try:
        documents = _REPORT_LIST.dump_python(_REPORT_LIST.validate_python(items), mode="json", exclude_none=True)
        return list(enumerate(documents)), results
    except ValidationError:
        pass
    valid: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, _document(ReportIn.model_validate(item))))
        except ValidationError as exc:
            results[index] = BatchItemRejected(
                index=index,
                ok=False,
                id=None,
                reference=None,
                errors=pydantic_errors(exc.errors(), prefix=("body", "reports", index)),
            ).model_dump(mode="json")
    return valid, results


def _batch_shape_error(exc: ValidationError) -> ApiError:
    first = pydantic_errors(exc.errors(), prefix=("body",))[0]
    return ApiError(422, first["message"], type=first["type"], loc=first["loc"])


@api.get(
    "/reports/{report_id}",
    response={200: ReportOut, **ERRORS},
    summary="What became of one of your reports",
    openapi_extra=_documented(idempotent=False, responses={200: {"description": "The report's state and status."}}),
)
def report_status(request: HttpRequest, report_id: UUID):
    partner = _partner(request, Scope.STATUS)
    partner_report = _own_report(partner, report_id)
    return error_response(200, _report_out(partner_report, files=selectors.file_count(partner_report)))


def _upload_schema() -> dict:
    details = FileDetailsIn.model_json_schema(ref_template="#/components/schemas/{model}")
    details.pop("$defs", None)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "The file's bytes."},
            "details": {**details, "description": "The tipline's per-file details (a JSON part)."},
        },
    }


@api.post(
    "/reports/{report_id}/files",
    response={201: FileOut, **ERRORS},
    summary="Attach an evidence file",
    openapi_extra=_documented(
        requestBody={
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": _upload_schema(),
                    "encoding": {"details": {"contentType": "application/json"}},
                }
            },
        },
        responses={201: {"description": "The stored file (its type as read from the bytes)."}},
    ),
)
def attach_file(request: HttpRequest, report_id: UUID):
    partner = _partner(request, Scope.EVIDENCE)
    partner_report = _own_report(partner, report_id)
    upload, details_doc, raw_details = _parse_upload(request)

    def work():
        stored = services.attach_file(partner_report=partner_report, upload=upload, details=details_doc)
        warnings = warnings_for_stored(
            stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size
        )
        body = FileOut(
            id=stored.public_id,
            sha256=stored.sha256,
            size=stored.size,
            contentType=stored.content_type,
            warnings=warnings,
        )
        return 201, body.model_dump(mode="json")

    def fp():
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        return idempotency.fingerprint(request, digest.digest(), raw_details.encode())

    return idempotency.run_once(request, partner, fp, work, look_first=True)


def _parse_upload(request: HttpRequest) -> tuple[UploadedFile, dict, str]:
    """The multipart body: exactly one `file` part (file or plain part) and an optional `details` part."""
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(422, "Send the file as multipart/form-data.", type="unsupported_media_type", loc=["body"])
    try:
        files, fields = request.FILES, request.POST
    except (MultiPartParserError, ValueError) as exc:
        raise ApiError(
            422, f"The multipart body could not be read: {exc}", type="multipart_invalid", loc=["body"]
        ) from None
    unknown = sorted((set(files) | set(fields)) - {"file", "details"})
    if unknown:
        raise ApiError(422, "Unknown field.", type="extra_forbidden", loc=["body", unknown[0]])
    if "file" in files:
        upload = files["file"]
    elif "file" in fields:  # a part without a filename: its content is still the file
        upload = SimpleUploadedFile("file", fields["file"].encode("utf-8", "surrogateescape"))
    else:
        raise ApiError(422, "Field required.", type="missing", loc=["body", "file"])
    raw_details = fields.get("details")
    if raw_details is None and "details" in files:
        raw_details = files["details"].read().decode("utf-8", "replace")
    try:
        details = FileDetailsIn.model_validate_json(raw_details) if raw_details else FileDetailsIn()
    except ValidationError as exc:
        raise _FormErrors(pydantic_errors(exc.errors(), prefix=("body", "details"))) from None
    return upload, details.model_dump(mode="json", exclude_none=True), raw_details or ""


class _FormErrors(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


@api.exception_handler(_FormErrors)
def _form_errors(request, exc: _FormErrors):
    return error_response(422, {"errors": exc.errors})


@api.post(
    "/reports/{report_id}/finish",
    response={200: ReportOut, **ERRORS},
    summary="Finish an open report",
    openapi_extra=_documented(responses={200: {"description": "The finished report, with the centre's reference."}}),
)
def finish_report(request: HttpRequest, report_id: UUID):
    partner = _partner(request, Scope.SUBMIT)
    partner_report = _own_report(partner, report_id)

    def work():
        finished = services.finish_report(partner_report=partner_report)
        return 200, _report_out(finished, files=selectors.file_count(finished))

    return idempotency.run_once(request, partner, lambda: idempotency.fingerprint(request), work)


@api.post(
    "/reports/{report_id}/retract",
    response={200: ReportOut, **ERRORS},
    summary="Withdraw an open report",
    openapi_extra=_documented(responses={200: {"description": "The retracted report."}}),
)
def retract_report(request: HttpRequest, report_id: UUID):
    partner = _partner(request, Scope.SUBMIT)
    partner_report = _own_report(partner, report_id)

    def work():
        return 200, _report_out(services.retract_report(partner_report=partner_report))

    return idempotency.run_once(request, partner, lambda: idempotency.fingerprint(request), work)


# --- the self-reported hash list (issue 22, ADR 0106) ---------------------------------------------

# The cursors this feed gives out ("" or no cursor: from the start). One of this shape that is ahead of the
# feed is a 409 (well formed, but not from this feed's state); anything else is a 400.
CURSOR_PATTERN = r"^(v1\.(0|[1-9][0-9]{0,18}))?$"
# Documented with its pattern, checked by the service (so a bad one is a 400 with the service's message).
_Cursor = Annotated[str | None, WithJsonSchema({"type": "string", "maxLength": 24, "pattern": CURSOR_PATTERN})]
_CURSOR_QUERY = Query(
    None, description="next_cursor from your last page; leave it out to fetch the whole list from the start."
)
_LIMIT_QUERY = Query(
    self_reported.DEFAULT_FEED_LIMIT,
    ge=1,
    le=self_reported.MAX_FEED_LIMIT,
    description="At most this many hashes (each gives one item per signal: md5, and pdq or vpdq).",
)


@api.get(
    "/hashes/self-reported",
    response={200: FeedPageOut, **ERRORS},
    summary="Fetch the self-reported hash list: what changed after your cursor, a page at a time",
    openapi_extra=_documented(
        idempotent=False,
        responses={
            200: {
                "description": (
                    "A page of hashes changed after the cursor, oldest change first (each hash once, in its "
                    "latest state: add or remove). Apply it, store next_cursor, fetch again while has_more."
                )
            },
            400: {"description": "The cursor is not one this feed gives out (v1.<n>), or a header was unreadable."},
            409: {"description": "The cursor is ahead of the feed: it did not come from it. Fetch from the start."},
        },
    ),
)
def fetch_self_reported(
    request: HttpRequest,
    cursor: _Cursor = _CURSOR_QUERY,
    limit: int = _LIMIT_QUERY,
) -> HttpResponse:
    partner = _partner(request, Scope.HASHES_FETCH)
    unknown = sorted(set(request.GET) - {"cursor", "limit"})
    if unknown:
        raise ApiError(
            422,
            f"Unknown query parameter {unknown[0]!r}: this endpoint takes only cursor and limit.",
            type="unknown_parameter",
            loc=["query", unknown[0]],
        )
    try:
        page = self_reported.feed_page_json(cursor=cursor, limit=limit, recipient=f"partner:{partner.slug}")
    except self_reported.SelfReportedHashError as exc:
        well_formed = cursor is not None and re.fullmatch(CURSOR_PATTERN, cursor) is not None
        status = 409 if exc.code == "bad_cursor" and well_formed else 400
        kind = "cursor_ahead" if status == 409 else exc.code
        where = ["query", "cursor" if "cursor" in exc.code else "limit"]
        raise ApiError(status, exc.message, type=kind, loc=where) from None
    # The items are written as JSON by the service (a page of 10,000 hashes through pydantic would cost
    # more than the query); FeedPageOut documents them and a test checks the two agree.
    body = (
        f'{{"items":{page.items_json},"next_cursor":"{page.next_cursor}",'
        f'"has_more":{"true" if page.has_more else "false"}}}'
    )
    return HttpResponse(body, content_type="application/json")


def _matches_schema() -> dict:
    """MatchesIn as documented: each item is a MatchIn (judged one by one, not all-or-nothing)."""
    item = MatchIn.model_json_schema(ref_template="#/components/schemas/{model}")
    item.pop("$defs", None)
    schema = MatchesIn.model_json_schema()
    schema["properties"]["matches"]["items"] = item
    return schema


_MATCH = TypeAdapter(MatchIn)


def _clean_matches(items: list[dict]) -> tuple[list[tuple[int, dict]], dict[int, dict]]:
    """(index, item) of each item of the documented shape, and the invalid ones' results by index."""
    valid: list[tuple[int, dict]] = []
    invalid: dict[int, dict] = {}
    for index, item in enumerate(items):
        try:
            valid.append((index, _MATCH.validate_python(item).model_dump()))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first.get("loc") else ""
            message = f"{field}: {first['msg']}" if field else str(first["msg"])
            invalid[index] = {"index": index, "result": "invalid", "message": message, "field": field}
    return valid, invalid


@api.post(
    "/hashes/matches",
    response={200: MatchesOut, **ERRORS},
    summary="Report where you found hashes from the self-reported list and what you did",
    openapi_extra=_documented(
        requestBody={"required": True, "content": {"application/json": {"schema": _matches_schema()}}},
        responses={
            200: {
                "description": (
                    "The list was read: each match is recorded (ok), not on the list (unknown_hash), a "
                    "replay of a client_ref sent before, or invalid (with the field), on its own, so 200 "
                    "even when some or all are not recorded. A body that is not a list of matches is a 422."
                )
            }
        },
    ),
)
def report_matches(request: HttpRequest) -> HttpResponse:
    try:
        document = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(422, f"The body is not valid JSON: {exc}", type="json_invalid", loc=["body"]) from exc
    try:
        items = MatchesIn.model_validate(document).matches
    except ValidationError as exc:
        raise _batch_shape_error(exc) from None
    partner = _partner(request, Scope.HASHES_REPORT)

    def work():
        valid, results = _clean_matches(items)
        recorded = self_reported.record_platform_matches(partner_label=partner.slug, items=[i for _, i in valid])
        for (index, _), result in zip(valid, recorded, strict=True):
            results[index] = {"index": index, "result": result.result, "message": result.message, "field": result.field}
        ordered = [results[index] for index in range(len(items))]
        return 200, {"recorded": sum(r["result"] == "ok" for r in ordered), "results": ordered}

    return idempotency.run_once(request, partner, lambda: idempotency.fingerprint(request, request.body), work)


# --- URLs: the API's own, with 404 and 405 in the same error shape ----------------------------------


def _method_not_allowed_as_json(view):
    @functools.wraps(view)  # keeps csrf_exempt and ninja's attributes
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = error_response(
                405, error_body(f"Method not allowed here; use {allowed}.", type="method_not_allowed")
            )
            response["Allow"] = allowed
        return response

    return wrapper


@csrf_exempt
def _no_such_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, error_body("No such endpoint. See /api/v1/docs.", type="not_found", loc=["path"]))


def api_urls():
    """What safeguard/urls.py mounts at api/v1/: ninja's URLs plus a JSON 404 for anything else."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, _method_not_allowed_as_json(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return [*wrapped, re_path(r"^(?P<rest>.*)$", _no_such_endpoint)], app_name, namespace
