from datetime import date, timedelta

import pytest
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.education import services
from safeguard.education.csvutil import ImportRejected
from safeguard.education.models import Organisation, Region, Session, SessionFlag, SessionImport, TrainerKind

from .factories import organisation, programme

ACTOR = Actor.system("test")
HEADER = "organisation,region,delivered_on,programme,age_band,attendees,organisation_size,trainer_email\n"


@pytest.fixture
def setup(db):
    prog = programme()
    org = organisation(size=120)
    trainer = services.register_trainer(
        actor=ACTOR,
        name="Ada Quillfeather",
        email="Ada@example.org",
        kind=TrainerKind.AMBASSADOR,
        region=Region.NORTH_WEST,
    )
    return prog, org, trainer


def test_a_plain_session_has_no_flags(setup):
    prog, org, trainer = setup
    services.accredit_trainer(actor=ACTOR, trainer=trainer, on=date(2026, 1, 5))
    session = services.record_session(
        actor=ACTOR,
        organisation=org,
        programme=prog,
        delivered_on=date(2026, 3, 2),
        age_band="11-13",
        attendees=90,
        trainer=trainer,
    )
    assert session.flags == []
    assert session.material_version.version == "1.0"
    assert session.region == Region.NORTH_WEST


def test_implausible_sessions_are_flagged_not_refused(setup):
    prog, org, trainer = setup
    first = services.record_session(
        actor=ACTOR, organisation=org, programme=prog, delivered_on=date(2026, 3, 2), age_band="11-13", attendees=30
    )
    again = services.record_session(
        actor=ACTOR, organisation=org, programme=prog, delivered_on=date(2026, 3, 2), age_band="11-13", attendees=30
    )
    too_many = services.record_session(
        actor=ACTOR, organisation=org, programme=prog, delivered_on=date(2026, 3, 3), age_band="11-13", attendees=500
    )
    future = services.record_session(
        actor=ACTOR,
        organisation=org,
        programme=prog,
        delivered_on=timezone.localdate() + timedelta(days=3),
        age_band="8-10",
        attendees=20,
        trainer=trainer,
    )
    assert first.flags == []
    assert again.flags == [SessionFlag.POSSIBLE_DUPLICATE]
    assert too_many.flags == [SessionFlag.MORE_THAN_ORGANISATION]
    assert set(future.flags) == {SessionFlag.FUTURE_DATE, SessionFlag.TRAINER_NOT_ACCREDITED}
    services.clear_session_flags(actor=ACTOR, session=again)
    again.refresh_from_db()
    assert again.flags == []


def test_no_session_without_attendees(setup):
    prog, org, _ = setup
    with pytest.raises(ValueError, match="at least one attendee"):
        services.record_session(
            actor=ACTOR, organisation=org, programme=prog, delivered_on=date(2026, 3, 2), age_band="5-7", attendees=0
        )


def test_accreditation_and_renewal(setup):
    _, _, trainer = setup
    services.accredit_trainer(actor=ACTOR, trainer=trainer, on=date(2026, 1, 5))
    assert trainer.accreditation_expires_on == date(2028, 1, 4)
    assert trainer.is_accredited_on(date(2027, 6, 1)) and not trainer.is_accredited_on(date(2028, 1, 5))
    services.accredit_trainer(actor=ACTOR, trainer=trainer, on=date(2027, 12, 1))  # early renewal runs on
    assert (trainer.accredited_on, trainer.accreditation_expires_on, trainer.renewals) == (
        date(2026, 1, 5),
        date(2030, 1, 4),
        1,
    )
    services.accredit_trainer(actor=ACTOR, trainer=trainer, on=date(2031, 3, 1))  # lapsed: starts afresh
    assert (trainer.accredited_on, trainer.accreditation_expires_on) == (date(2031, 3, 1), date(2033, 2, 28))


def test_csv_import_creates_organisations_and_sessions(setup):
    data = HEADER + (
        "Brambleford Academy,north_west,2026-03-04,tuk-11-13,11-13,110,,ada@example.org\n"
        "Little Fennick Primary,North East,05/03/2026,tuk-11-13,8-10,45,60,\n"
        "\n"
    )
    batch = services.import_sessions_csv(actor=ACTOR, data=data.encode(), filename="spring.csv")
    assert batch.rows == 2
    fennick = Organisation.objects.get(name="Little Fennick Primary")
    assert (fennick.region, fennick.size) == (Region.NORTH_EAST, 60)
    assert Session.objects.filter(imported_in=batch).count() == 2
    assert Session.objects.get(organisation=fennick).delivered_on == date(2026, 3, 5)


def test_csv_import_reports_every_bad_row_and_imports_nothing(setup):
    _, org, _ = setup
    services.record_session(
        actor=ACTOR,
        organisation=org,
        programme=setup[0],
        delivered_on=date(2026, 2, 2),
        age_band="11-13",
        attendees=30,
    )
    data = HEADER + (
        "Brambleford Academy,north_west,2026-03-04,tuk-11-13,11-13,110,,\n"  # good
        "Brambleford Academy,north_west,31/02/2026,tuk-11-13,11-13,10,,\n"  # bad date
        "Brambleford Academy,north_west,2026-03-06,tuk-11-13,11-13,-4,,\n"  # negative
        "Brambleford Academy,north_west,2026-03-04,tuk-11-13,11-13,110,,\n"  # duplicate of row 2
        "Brambleford Academy,north_west,2026-02-02,tuk-11-13,11-13,30,,\n"  # already recorded
        "Nowhere School,atlantis,2026-03-04,nope,teens,ten,,bob@example.org\n"
    )
    with pytest.raises(ImportRejected) as caught:
        services.import_sessions_csv(actor=ACTOR, data=data, filename="bad.csv")
    messages = [str(e) for e in caught.value.errors]
    assert "Row 3, delivered_on: '31/02/2026' is not a date: use 2026-03-14 or 14/03/2026" in messages
    assert "Row 4, attendees: -4 is below 1: counts cannot be negative" in messages
    assert any(m.startswith("Row 5: duplicate of row 2") for m in messages)
    assert any(m.startswith("Row 6: this session is already recorded") for m in messages)
    assert {e.field for e in caught.value.errors if e.row == 7} == {
        "region",
        "programme",
        "age_band",
        "attendees",
        "trainer_email",
    }
    assert Session.objects.count() == 1 and not SessionImport.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("organisation,date,attendees\nA,2026-01-01,3\n", "Row 1: missing column(s): region, delivered_on"),
        (HEADER.strip() + ",colour\n", "Row 1: unknown column(s): colour"),
        ("", "File: the file is empty"),
        (HEADER, "File: the file has a header but no rows"),
        (b"\xff\xfe\x00bad", "File: the file is not UTF-8 text"),
    ],
)
def test_csv_import_refuses_wrong_files(setup, data, message):
    with pytest.raises(ImportRejected) as caught:
        services.import_sessions_csv(actor=ACTOR, data=data, filename="x.csv")
    assert str(caught.value.errors[0]).startswith(message)
