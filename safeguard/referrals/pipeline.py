"""Processing one chunk of referral records: validate, de-duplicate, map, extract, link, score, route, write.

Everything for a chunk happens in the caller's transaction with the import's checkpoint, so a chunk is
either wholly committed or not at all: a crash never leaves half a chunk, and a resume starts after the
last committed record (docs/adr/0070). Work is per chunk, not per row: one query finds duplicates for the
whole chunk, one finds the known subjects of all its identifiers, and the rows go in with COPY.
"""

import hashlib
import json
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils import timezone
from pydantic import ValidationError

from safeguard.audit.services import Action, Actor, PendingEntry, record_many
from safeguard.core.bulk import rows_where_in, write_rows
from safeguard.partners.mapping import report_fields
from safeguard.reporting import intake
from safeguard.reporting.models import Report, Source, Status
from safeguard.subjects import extraction
from safeguard.subjects.deconfliction import holdings_for_subjects
from safeguard.subjects.linking import identifier_row, link_lines, link_row
from safeguard.subjects.normalise import Kind
from safeguard.triage.deconfliction_notices import notify_holders
from safeguard.triage.engine import refresh_prior_reports
from safeguard.triage.features import MAX_COUNTED_PRIOR_REPORTS, ActiveModel, report_features
from safeguard.triage.intake_stage import triage_row
from safeguard.triage.notifications import notify_p1_many
from safeguard.triage.scoring import score

from .models import LineOutcome, ReferralError, ReferralImport, ReferralLine
from .parsers import Record, decoded
from .routing import Suggester
from .schemas import ReferralIn


@dataclass
class ChunkResult:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    linked: int = 0
    notices: int = 0
    report_ids: list[int] = field(default_factory=list)


def _field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _validate(record: Record) -> tuple[dict | None, str, list[tuple[str, str]]]:
    """(document as JSON-ready dict, its content hash, problems).

    A JSON Lines line is validated straight from its bytes (pydantic's JSON parser, no `json.loads` and no
    Python dict in between); a line that fails goes the reader's way (`parsers.decoded`) and is validated again
    from the dict, so its messages are the reader's and the validator's as ever (ADR 0075).
    The hash is of the validated model's own JSON (pydantic's, in schema field order): the same content gives
    the same bytes whatever the key order or spacing of the line, and it costs no second encoding in Python.
    """
    document = None
    if record.raw is not None:
        try:
            document = ReferralIn.model_validate_json(record.raw)
        except ValidationError:
            record = decoded(record)
            if record.problems:
                return None, "", record.problems
    if document is None:
        try:
            document = ReferralIn.model_validate(record.data)
        except ValidationError as exc:
            return None, "", [(_field_name(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
    dumped = document.model_dump_json(exclude_none=True)
    # The JSON-ready dict from the JSON already made for the hash: json.loads (C) costs about half of a second
    # `model_dump(mode="json")` walk (ADR 0075), and gives the same dict.
    # (json.loads of str, not bytes: bytes cost an encoding detection and a decode first.)
    return json.loads(dumped), hashlib.blake2b(dumped.encode(), digest_size=16).hexdigest(), []


def _found(document: dict, platform: str) -> list[extraction.Found]:
    found = extraction.from_partner_payload(document, platform=platform)
    for file in document.get("fileDetails", []):
        if file.get("originalFileHash"):
            found.append(extraction.make(extraction.Role.FILE, Kind.FILE_HASH, file["originalFileHash"]))
    unique: dict[tuple, extraction.Found] = {}
    for item in found:
        unique.setdefault((item.role, item.kind, item.platform, item.value or item.raw), item)
    return list(unique.values())


def _existing_duplicates(hashes: list[str]) -> dict[str, tuple[int, int, int | None]]:
    """content hash -> (import id, line number, report id) of the first accepted line with it, from any import."""
    if not hashes:
        return {}
    table = ReferralLine._meta.db_table
    rows = sorted(
        rows_where_in(
            "id, content_hash, referral_import_id, line_no, report_id",
            table,
            "content_hash",
            hashes,
            extra=("outcome", LineOutcome.ACCEPTED),
        )
    )
    rows = [row[1:] for row in rows]
    found: dict[str, tuple[int, int, int | None]] = {}
    for digest, import_id, line_no, report_id in rows:
        found.setdefault(digest, (import_id, line_no, report_id))
    return found


@dataclass
class _Accepted:
    line_no: int
    element: str
    digest: str
    fields: dict
    found: list
    subject_keys: list[str]
    strong_keys: list[str]
    features: dict
    route: tuple  # (postcode, ip, country) for the recipient suggestion
    subject_id: int | None = None
    matched: bool = False
    prior: int = 0


def _deconflict(imp: ReferralImport, matched: set[int], first_report_of: dict[int, int]) -> int:
    """Tell whoever works a matched subject that a referral line concerns it (one notice per holder and report).

    Every provider (assigned reports, cases, operations, sent packages) first says in one query which matched
    subjects it holds at all; only those are read in full."""

    sent = 0
    for subject_id, found in holdings_for_subjects(matched).items():
        report_id = first_report_of.get(subject_id)
        sent += notify_holders(
            [holding for holding in found if holding.report_id != report_id],
            report=Report(pk=report_id),
            message=(
                f"A bulk referral from {imp.partner} (import {imp.pk}) concerns a subject you are working. "
                "Talk to the supervisor allocating it before acting."
            ),
        )
    return sent


MAX_P1_NOTICES_PER_CHUNK = 50


def _notify_p1(rows: list[dict]) -> None:
    """P1 lines alert the on-duty supervisors as a P1 report from any source does.

    Capped per chunk so a file of escalated lines cannot bury the supervisors in notices: beyond the cap the
    import summary lists them first anyway.
    """

    if rows:
        notify_p1_many([Report(pk=row["id"], reference=row["reference"]) for row in rows[:MAX_P1_NOTICES_PER_CHUNK]])


def _features_subject(fields: dict) -> SimpleNamespace:
    # report_features reads attributes only; an unsaved stand-in avoids building Report instances.
    return SimpleNamespace(
        pk=None, source=Source.REFERRAL, child_in_danger_now=False, created_at=None, subject_claimed_age="", **fields
    )


class _Partner(SimpleNamespace):
    """What partners.mapping needs of a partner: its name and slug."""


@dataclass
class PreparedChunk:
    """The database-free part of a chunk's work, done where there is a spare core (see workers.py)."""

    read: int
    first_line: int
    last_line: int
    last_offset: int
    rejected: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)  # line, element, field, reason
    items: list[_Accepted] = field(default_factory=list)  # valid lines, duplicates not yet known


def prepare_chunk(records: list[Record], *, import_pk: int, partner: str) -> PreparedChunk:
    """Validate, hash, map, extract identifiers and compute scoring factors. Touches no database."""
    prepared = PreparedChunk(
        read=len(records),
        first_line=records[0].line_no,
        last_line=records[-1].line_no,
        last_offset=records[-1].offset,
    )
    mapping_partner = _Partner(name=partner, slug=f"referral-{import_pk}")
    _prepare_records(prepared, records, import_pk=import_pk, partner=partner, mapping_partner=mapping_partner)
    return prepared


def _prepare_records(
    prepared: PreparedChunk, records: list[Record], *, import_pk: int, partner: str, mapping_partner: _Partner
) -> None:
    for record in records:
        problems = record.problems
        if not problems:
            document, digest, problems = _validate(record)
        if problems:
            prepared.errors += [(record.line_no, record.element, f, r) for f, r in problems]
            prepared.rejected += 1
            continue
        payload = {k: v for k, v in document.items() if k not in ("partnerReference", "suspectPostcode", "fileDetails")}
        files = [{"details": f} for f in document.get("fileDetails", [])]
        fields = report_fields(
            partner=mapping_partner,
            payload=payload,
            partner_report_id=document.get("partnerReference", ""),
            files=files,
        )
        fields["details"]["referral"] = {
            "import": import_pk,
            "partner": partner,
            "line": record.line_no,
            "partnerReference": document.get("partnerReference", ""),
            "suspectPostcode": document.get("suspectPostcode", ""),
        }
        found = [(i, i.key) for i in _found(document, extraction.normalise_platform(fields["platform_name"]))]
        subject_items = [(i, key) for i, key in found if i.role == extraction.Role.SUBJECT and key]
        person = document.get("personOrUserReported") or {}
        ips = [e.get("ipAddress") for e in person.get("ipCaptureEvents", []) if e.get("ipAddress")]
        prepared.items.append(
            _Accepted(
                line_no=record.line_no,
                element=record.element,
                digest=digest,
                fields=fields,
                found=found,
                subject_keys=[key for _, key in subject_items],
                strong_keys=sorted({key for i, key in subject_items if i.mergeable}),
                features=report_features(_features_subject(fields), prior_reports=0),
                route=(
                    document.get("suspectPostcode"),
                    ips[0] if ips else None,
                    (person.get("estimatedLocation") or {}).get("countryCode"),
                ),
            )
        )


def process_chunk(
    *, imp: ReferralImport, records: list[Record], model: ActiveModel, suggester: Suggester, actor: Actor
) -> ChunkResult:
    prepared = prepare_chunk(records, import_pk=imp.pk, partner=imp.partner)
    return commit_chunk(imp=imp, prepared=prepared, model=model, suggester=suggester, actor=actor)


def commit_chunk(
    *, imp: ReferralImport, prepared: PreparedChunk, model: ActiveModel, suggester: Suggester, actor: Actor
) -> ChunkResult:
    """De-duplicate, link, score, route and write a prepared chunk, in the caller's transaction."""
    result = ChunkResult(read=prepared.read, rejected=prepared.rejected)
    errors = [_error(imp, *problem) for problem in prepared.errors]
    lines: list[dict] = []
    accepted: list[_Accepted] = []
    seen: dict[str, int] = {}
    held = _existing_duplicates(sorted({item.digest for item in prepared.items}))
    for item in prepared.items:
        digest = item.digest
        earlier = held.get(digest)
        if digest in seen or earlier:
            same_file = digest in seen or earlier[0] == imp.pk
            line_no = seen[digest] if digest in seen else earlier[1]
            outcome = LineOutcome.DUPLICATE_IN_FILE if same_file else LineOutcome.DUPLICATE_EXISTING
            where = f"line {line_no} of this file" if same_file else f"line {line_no} of import {earlier[0]}"
            lines.append(_line(imp, item.line_no, digest, outcome, report_id=None if same_file else earlier[2]))
            errors.append(_error(imp, item.line_no, item.element, "", f"Duplicate of {where}: not imported again"))
            result.duplicates += 1
            continue
        seen[digest] = item.line_no
        accepted.append(item)
    linked = link_lines(accepted, actor)
    matched, new_subjects = linked.matched, linked.new_subject_ids
    reserved = intake.reserve(len(accepted))
    report_ids = [report_id for report_id, _ in reserved]
    reports, triage_rows, identifier_rows, link_rows = [], [], [], []
    stamp = timezone.now()
    first_report_of: dict[int, int] = {}
    for item, (report_id, reference) in zip(accepted, reserved, strict=True):
        features = item.features
        if item.prior:
            features = {
                **features,
                "prior_reports": min(item.prior, MAX_COUNTED_PRIOR_REPORTS) / MAX_COUNTED_PRIOR_REPORTS,
            }
        scored = score(features, model.weights, model.thresholds)
        postcode, ip, country = item.route
        suggestion = suggester.suggest(postcode=postcode, ip=ip, country=country)
        reports.append(
            {
                **item.fields,
                "id": report_id,
                "reference": reference,
                "source": Source.REFERRAL,
                "status": Status.TRIAGED,
                "priority": int(scored.band),
                "priority_reasons": scored.reasons,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        triage_rows.append(
            triage_row(report_id=report_id, features=features, scored=scored, prior=item.prior, model=model, at=stamp)
        )
        identifier_rows += [identifier_row(report_id, found, key) for found, key in item.found]
        if item.subject_id:
            link_rows.append(link_row(report_id, item.subject_id, stamp))
            first_report_of.setdefault(item.subject_id, report_id)
        recipient = suggestion.recipient
        lines.append(
            _line(
                imp,
                item.line_no,
                item.digest,
                LineOutcome.ACCEPTED,
                report_id=report_id,
                priority=int(scored.band),
                score=scored.score,
                subject_id=item.subject_id,
                matched_subject=item.matched,
                suggested_recipient_id=recipient.pk if recipient is not None else None,
                recipient_basis=(suggestion.basis or "")[:100],
            )
        )
        result.linked += item.matched
    # Through reporting's intake (the set path): the reports, then each owner's rows for them.
    intake.accept_rows(rows=reports, extras={"subjects": (identifier_rows, link_rows), "triage": triage_rows})
    write_rows(ReferralLine, lines)
    write_rows(ReferralError, errors)
    # Reports already held gain prior reports, but the factor stops at MAX_COUNTED_PRIOR_REPORTS: a subject with
    # more held reports than that is saturated and needs nothing, unless a merge just joined reports counted
    # against a smaller subject (docs/adr/0074).
    refresh_prior_reports({s for s in matched if linked.counts.get(s, 0) <= MAX_COUNTED_PRIOR_REPORTS} | linked.merged)
    result.notices = _deconflict(imp, matched, first_report_of)
    _notify_p1([row for row in reports if row["priority"] == 1])
    result.accepted = len(accepted)
    result.report_ids = report_ids
    _audit(imp, [prepared.first_line, prepared.last_line], report_ids, link_rows, new_subjects, result, actor)
    return result


def _audit(imp, span, report_ids, link_rows, new_subjects, result, actor) -> None:
    """One collection entry and one combination entry per chunk, each listing the records (DPA 2018 s.62)."""
    entries = [
        PendingEntry(
            action=Action.COLLECTION,
            actor=actor,
            obj=imp,
            detail={
                "partner": imp.partner,
                "lines": span,
                "reports": report_ids,
                "rejected": result.rejected,
                "duplicates": result.duplicates,
            },
        )
    ]
    if link_rows:
        entries.append(
            PendingEntry(
                action=Action.COMBINATION,
                actor=Actor.system("referral import linking"),
                obj=imp,
                detail={
                    "lines": span,
                    "links": [[row["report_id"], row["subject_id"]] for row in link_rows],
                    "new_subjects": new_subjects,
                },
            )
        )
    record_many(entries)


def _error(imp: ReferralImport, line_no: int, element: str, field_name: str, reason: str) -> dict:
    return {
        "referral_import_id": imp.pk,
        "line_no": line_no,
        "element": element[:100],
        "field": field_name[:300],
        "reason": reason[:1000],
    }


def _line(imp, line_no, digest, outcome, **values) -> dict:
    return {
        "referral_import_id": imp.pk,
        "line_no": line_no,
        "content_hash": digest,
        "outcome": outcome,
        **values,
    }
