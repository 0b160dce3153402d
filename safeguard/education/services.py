"""Writes for programmes, trainers, sessions and targets. Keyword-only, typed; views stay thin."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .csvutil import ImportRejected, RowError, parse_count, parse_date, read_csv
from .models import (
    AgeBand,
    MaterialVersion,
    Organisation,
    Programme,
    ReachTarget,
    Region,
    Session,
    SessionFlag,
    SessionImport,
    Trainer,
)

ACCREDITATION_YEARS = 2


# --- Programmes ---------------------------------------------------------------------------------


def create_programme(*, actor: Actor, name: str, code: str, audience: str, description: str = "") -> Programme:
    with transaction.atomic():
        programme = Programme.objects.create(name=name, code=code, audience=audience, description=description)
        record(action=Action.COLLECTION, actor=actor, obj=programme, detail={"code": code})
    return programme


def release_version(*, actor: Actor, programme: Programme, version: str, released_on: date, changes: str = ""):
    """A new version of the materials; sessions recorded from now on say they used it."""
    if programme.versions.filter(version=version).exists():
        raise ValueError(f"{programme} already has a version {version}")
    with transaction.atomic():
        released = MaterialVersion.objects.create(
            programme=programme, version=version, released_on=released_on, changes=changes
        )
        record(action=Action.COLLECTION, actor=actor, obj=released, detail={"version": version})
    return released


# --- Trainers -------------------------------------------------------------------------------------


def register_trainer(*, actor: Actor, name: str, email: str, kind: str, region: str, user=None) -> Trainer:
    with transaction.atomic():
        trainer = Trainer.objects.create(name=name, email=email.strip().lower(), kind=kind, region=region, user=user)
        record(action=Action.COLLECTION, actor=actor, obj=trainer, detail={"kind": kind})
    return trainer


def accredit_trainer(*, actor: Actor, trainer: Trainer, on: date, years: int = ACCREDITATION_YEARS) -> Trainer:
    """Accredit after the trainer's course, or renew: a renewal runs on from the current expiry if not yet lapsed."""
    with transaction.atomic():
        renewing = trainer.accreditation_expires_on is not None
        start_from = on
        if renewing and trainer.accreditation_expires_on >= on:
            start_from = trainer.accreditation_expires_on + timedelta(days=1)
        else:
            trainer.accredited_on = on
        trainer.accreditation_expires_on = _add_years(start_from, years) - timedelta(days=1)
        if renewing:
            trainer.renewals += 1
        trainer.save(update_fields=["accredited_on", "accreditation_expires_on", "renewals"])
        record(
            action=Action.ALTERATION,
            actor=actor,
            obj=trainer,
            detail={"renewal": renewing, "expires_on": trainer.accreditation_expires_on.isoformat()},
        )
    return trainer


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def accreditations_due(*, within_days: int = 60, today: date | None = None):
    today = today or timezone.localdate()
    return Trainer.objects.filter(
        accreditation_expires_on__gte=today, accreditation_expires_on__lte=today + timedelta(days=within_days)
    )


# --- Sessions -------------------------------------------------------------------------------------


def session_flags(
    *,
    organisation: Organisation,
    programme: Programme,
    delivered_on: date,
    age_band: str,
    attendees: int,
    trainer: Trainer | None,
    today: date | None = None,
    exclude_pk: int | None = None,
) -> list[str]:
    """Why a session needs a second look. Flags never block recording: staff review them."""
    today = today or timezone.localdate()
    flags = []
    same = Session.objects.filter(
        organisation=organisation, programme=programme, delivered_on=delivered_on, age_band=age_band
    )
    if exclude_pk:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        flags.append(SessionFlag.POSSIBLE_DUPLICATE)
    if organisation.size is not None and attendees > organisation.size:
        flags.append(SessionFlag.MORE_THAN_ORGANISATION)
    if delivered_on > today:
        flags.append(SessionFlag.FUTURE_DATE)
    if trainer is not None and not trainer.is_accredited_on(delivered_on):
        flags.append(SessionFlag.TRAINER_NOT_ACCREDITED)
    return [str(f) for f in flags]


def record_session(
    *,
    actor: Actor,
    organisation: Organisation,
    programme: Programme,
    delivered_on: date,
    age_band: str,
    attendees: int,
    trainer: Trainer | None = None,
    area: str = "",
    recorded_by=None,
) -> Session:
    if attendees < 1:
        raise ValueError("A session needs at least one attendee.")
    with transaction.atomic():
        session = Session.objects.create(
            organisation=organisation,
            region=organisation.region,
            area=area or organisation.area,
            delivered_on=delivered_on,
            programme=programme,
            material_version=programme.current_version,
            age_band=age_band,
            attendees=attendees,
            trainer=trainer,
            recorded_by=recorded_by,
            flags=session_flags(
                organisation=organisation,
                programme=programme,
                delivered_on=delivered_on,
                age_band=age_band,
                attendees=attendees,
                trainer=trainer,
            ),
        )
        record(action=Action.COLLECTION, actor=actor, obj=session, detail={"flags": session.flags})
    return session


SESSION_COLUMNS = ["organisation", "region", "delivered_on", "programme", "age_band", "attendees"]
SESSION_OPTIONAL_COLUMNS = ["area", "organisation_size", "organisation_kind", "trainer_email"]


@dataclass
class _SessionRow:
    row: int
    organisation: str
    region: str
    area: str
    size: int | None
    kind: str
    delivered_on: date
    programme: Programme
    age_band: str
    attendees: int
    trainer: Trainer | None


def _check_session_row(
    row_number: int, values: dict, programmes: dict, trainers: dict, errors: list
) -> _SessionRow | None:
    found = len(errors)

    def fail(field, reason):
        errors.append(RowError(row_number, field, reason))

    name = values["organisation"]
    if not name:
        fail("organisation", "is empty")
    region = values["region"].lower().replace(" ", "_")
    region_by_label = {label.lower(): value for value, label in Region.choices}
    region = region if region in Region.values else region_by_label.get(values["region"].lower(), "")
    if not region:
        fail("region", f"'{values['region']}' is not a region (one of: {', '.join(Region.values)})")
    try:
        delivered_on = parse_date(values["delivered_on"])
    except ValueError as exc:
        fail("delivered_on", str(exc))
        delivered_on = None
    programme = programmes.get(values["programme"].lower())
    if programme is None:
        fail("programme", f"'{values['programme']}' is not a programme code (one of: {', '.join(sorted(programmes))})")
    age_band = values["age_band"]
    if age_band not in AgeBand.values:
        fail("age_band", f"'{age_band}' is not an age band (one of: {', '.join(AgeBand.values)})")
    try:
        attendees = parse_count(values["attendees"], minimum=1)
    except ValueError as exc:
        fail("attendees", str(exc))
        attendees = None
    size = None
    if values.get("organisation_size"):
        try:
            size = parse_count(values["organisation_size"], minimum=1)
        except ValueError as exc:
            fail("organisation_size", str(exc))
    trainer = None
    if values.get("trainer_email"):
        trainer = trainers.get(values["trainer_email"].lower())
        if trainer is None:
            fail("trainer_email", f"no registered trainer has the address {values['trainer_email']}")
    kind = values.get("organisation_kind", "") or "other"
    if len(errors) > found:
        return None
    return _SessionRow(
        row_number,
        name,
        region,
        values.get("area", ""),
        size,
        kind,
        delivered_on,
        programme,
        age_band,
        attendees,
        trainer,
    )


def import_sessions_csv(*, actor: Actor, data: bytes | str, filename: str, uploaded_by=None) -> SessionImport:
    """Import delivered sessions from a partner's CSV: all rows or none.

    Raises ImportRejected with every problem (row, field, reason). Duplicates, within the file or of a session
    already recorded, are errors here (a partner re-sending last term's file must not double the reach);
    implausible counts and future dates are accepted and flagged, as on the form.
    """
    rows = read_csv(data, required=SESSION_COLUMNS, optional=SESSION_OPTIONAL_COLUMNS)
    programmes = {p.code.lower(): p for p in Programme.objects.all()}
    trainers = {t.email.lower(): t for t in Trainer.objects.all()}
    errors: list[RowError] = []
    checked = [r for n, v in rows if (r := _check_session_row(n, v, programmes, trainers, errors)) is not None]

    seen: dict[tuple, int] = {}
    for r in checked:
        key = (r.organisation.casefold(), r.region, r.delivered_on, r.programme.pk, r.age_band)
        if key in seen:
            errors.append(
                RowError(r.row, "", f"duplicate of row {seen[key]} (same organisation, date, programme and age band)")
            )
        else:
            seen[key] = r.row
    existing = {
        (s.organisation.name.casefold(), s.region, s.delivered_on, s.programme_id, s.age_band)
        for s in Session.objects.filter(delivered_on__in={r.delivered_on for r in checked}).select_related(
            "organisation"
        )
    }
    for r in checked:
        if (r.organisation.casefold(), r.region, r.delivered_on, r.programme.pk, r.age_band) in existing:
            errors.append(
                RowError(
                    r.row, "", "this session is already recorded (same organisation, date, programme and age band)"
                )
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))

    with transaction.atomic():
        batch = SessionImport.objects.create(filename=filename[:255], uploaded_by=uploaded_by, rows=len(checked))
        for r in checked:
            organisation, created = Organisation.objects.get_or_create(
                name__iexact=r.organisation,
                region=r.region,
                defaults={"name": r.organisation, "area": r.area, "size": r.size, "kind": r.kind},
            )
            if not created and r.size and organisation.size != r.size:
                organisation.size = r.size  # the partner knows its own size best; latest figure wins
                organisation.save(update_fields=["size"])
            Session.objects.create(
                organisation=organisation,
                region=r.region,
                area=r.area or organisation.area,
                delivered_on=r.delivered_on,
                programme=r.programme,
                material_version=r.programme.current_version,
                age_band=r.age_band,
                attendees=r.attendees,
                trainer=r.trainer,
                imported_in=batch,
                recorded_by=uploaded_by,
                flags=session_flags(
                    organisation=organisation,
                    programme=r.programme,
                    delivered_on=r.delivered_on,
                    age_band=r.age_band,
                    attendees=r.attendees,
                    trainer=r.trainer,
                ),
            )
        record(action=Action.COLLECTION, actor=actor, obj=batch, detail={"rows": len(checked), "filename": filename})
    return batch


def clear_session_flags(*, actor: Actor, session: Session) -> Session:
    """A member of staff has checked the flagged session and accepts it."""
    with transaction.atomic():
        cleared = session.flags
        session.flags = []
        session.save(update_fields=["flags"])
        record(action=Action.ALTERATION, actor=actor, obj=session, detail={"cleared_flags": cleared})
    return session


def set_target(*, actor: Actor, year: int, children: int, professionals: int) -> ReachTarget:
    with transaction.atomic():
        target, _ = ReachTarget.objects.update_or_create(
            year=year, defaults={"children": children, "professionals": professionals}
        )
        record(
            action=Action.ALTERATION,
            actor=actor,
            obj=target,
            detail={"children": children, "professionals": professionals},
        )
    return target
