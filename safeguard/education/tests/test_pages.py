import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from safeguard.audit.services import Actor
from safeguard.education import analysis, services
from safeguard.education.models import Answer, Booking, Course, Region, Session, SurveyLink, SurveyResponse
from safeguard.education.surveys import import_responses_csv

from .factories import offline_survey, organisation, programme

ACTOR = Actor.system("test")


@pytest.fixture
def session(db):
    return services.record_session(
        actor=ACTOR,
        organisation=organisation(),
        programme=programme(),
        delivered_on=date(2026, 3, 2),
        age_band="11-13",
        attendees=60,
    )


@pytest.fixture
def course(db):
    start = timezone.now() + timedelta(days=10)
    return Course.objects.create(
        title="Online safety for youth workers",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        venue="Marram House, Saltwick",
        region=Region.EAST,
        capacity=1,
    )


def test_every_role_sees_the_dashboard_but_only_managers_upload(staff_client, session):
    analyst = staff_client("analyst")
    assert analyst.get(reverse("education:dashboard")).status_code == 200
    assert analyst.get(reverse("education:sessions")).status_code == 200
    assert analyst.get(reverse("education:session_upload")).status_code == 403
    assert analyst.get(reverse("education:session_new")).status_code == 403
    assert staff_client("supervisor").get(reverse("education:session_upload")).status_code == 200


def test_staff_pages_need_two_factors(password_only_client):
    response = password_only_client("supervisor").get(reverse("education:dashboard"))
    assert response.status_code in (302, 403)


def test_upload_with_errors_lists_them_and_keeps_nothing(supervisor_client, session):
    data = (
        "organisation,region,delivered_on,programme,age_band,attendees\n"
        "Brambleford Academy,north_west,2026-03-09,tuk-11-13,11-13,50\n"
        "Brambleford Academy,north_west,2026-13-09,tuk-11-13,11-13,-5\n"
    )
    upload = SimpleUploadedFile("sessions.csv", data.encode(), content_type="text/csv")
    response = supervisor_client.post(reverse("education:session_upload"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported: the file has 2 problems" in body
    assert "&#x27;2026-13-09&#x27; is not a date" in body and "counts cannot be negative" in body
    assert Session.objects.count() == 1

    good = SimpleUploadedFile("sessions.csv", data.splitlines()[0].encode() + b"\n" + data.splitlines()[1].encode())
    response = supervisor_client.post(reverse("education:session_upload"), {"file": good})
    assert response.status_code == 302 and Session.objects.count() == 2


def test_record_a_session_form_shows_flags(supervisor_client, session):
    response = supervisor_client.post(
        reverse("education:session_new"),
        {
            "organisation": session.organisation.pk,
            "programme": session.programme.pk,
            "delivered_on": "02/03/2026",
            "age_band": "11-13",
            "attendees": "9999",
        },
        follow=True,
    )
    assert "It needs checking: Possible duplicate of another session; More attendees than the organisation has" in (
        response.content.decode()
    )
    bad = supervisor_client.post(reverse("education:session_new"), {"attendees": "-1", "delivered_on": "soon"})
    assert "Number of attendees must be 1 or more" in bad.content.decode()
    assert "Enter a real date, like 14/03/2026" in bad.content.decode()


def test_survey_results_suppress_small_groups_everywhere(supervisor_client, db):
    survey = offline_survey()
    rows = ["age_band,met_offline,took_friend,apps,confidence"]
    rows += ["11-13,yes,yes,games,4"] * 12 + ["11-13,no,,video,3"] * 20 + ["5-7,no,,video,2"] * 4
    import_responses_csv(actor=ACTOR, survey=survey, data="\n".join(rows))
    page = supervisor_client.get(reverse("education:survey", args=[survey.pk]), {"by": "age_band"})
    body = page.content.decode()
    assert page.status_code == 200 and "36 responses" in body
    assert "Not shown: fewer than 10 respondents" in body  # the four 5 to 7 year olds
    assert "<svg" in body
    export = supervisor_client.get(reverse("education:survey_export", args=[survey.pk, "csv"]), {"by": "age_band"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    small = [r for r in rows if r["group"] == "Children 5 to 7"]
    assert small and all(
        r["count"] == "" and r["respondents"] == "" and r["note"] == analysis.SUPPRESSED_TEXT for r in small
    )
    xlsx = supervisor_client.get(reverse("education:survey_export", args=[survey.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_paper_import_rejects_bad_rows_with_reasons(db):
    survey = offline_survey()
    data = (
        "age_band,met_offline,took_friend,apps,confidence\n"
        "11-13,maybe,,games,4\n"
        "teen,no,,games;films,9\n"
        "11-13,yes,yes;no,,\n"
    )
    from safeguard.education.csvutil import ImportRejected

    with pytest.raises(ImportRejected) as caught:
        import_responses_csv(actor=ACTOR, survey=survey, data=data)
    found = {(e.row, e.field) for e in caught.value.errors}
    assert found == {(2, "met_offline"), (3, "age_band"), (3, "apps"), (3, "confidence"), (4, "took_friend")}
    assert not SurveyResponse.objects.exists()


def test_online_survey_drops_answers_to_questions_not_asked(client, session):
    survey = offline_survey()
    link = SurveyLink.objects.create(survey=survey, session=session)
    url = reverse("education_public:survey", args=[link.token])
    page = client.get(url)
    assert page.status_code == 200 and "Only answer this if you answered" in page.content.decode()
    response = client.post(
        url, {"met_offline": "no", "took_friend": "yes", "apps": ["games", "chat"], "confidence": "5"}
    )
    assert response.status_code == 302
    stored = SurveyResponse.objects.get()
    assert stored.age_band == "11-13" and stored.session == session
    assert sorted(Answer.objects.values_list("question__code", "value")) == [
        ("apps", "chat"),
        ("apps", "games"),
        ("confidence", "5"),
        ("met_offline", "no"),
    ]
    empty = client.post(url, {})
    assert "Answer at least one question" in empty.content.decode()
    bad = client.post(url, {"met_offline": "sometimes"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_public_booking_journey(client, course, django_capture_on_commit_callbacks):
    assert course.title in client.get(reverse("education_public:courses")).content.decode()
    url = reverse("education_public:course", args=[course.pk])
    empty = client.post(url, {})
    assert empty.status_code == 400 and "Enter your full name" in empty.content.decode()
    details = {"name": "Rowan Tidewell", "email": "rowan@example.org", "organisation": "Saltwick Youth Club"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, details)
        second = client.post(url, {**details, "name": "Iris Fenwold", "email": "iris@example.org"})
    rowan, iris = Booking.objects.order_by("id")
    assert first.url == reverse("education_public:booking", args=[rowan.token])
    page = client.get(first.url)
    assert "Your place is confirmed" in page.content.decode() and "no-store" in page["Cache-Control"]
    assert "number 1 on the waiting list" in client.get(second.url).content.decode()
    assert client.get(reverse("education_public:invitation", args=[rowan.token]))["Content-Type"].startswith(
        "text/calendar"
    )
    assert client.get(reverse("education_public:invitation", args=[iris.token])).status_code == 404
    assert client.get(reverse("education_public:certificate", args=[rowan.token])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(first.url, {"confirm_cancel": "yes"})
    iris.refresh_from_db()
    assert iris.status == "confirmed"
    assert "This booking is cancelled" in client.get(first.url).content.decode()
    duplicate = client.post(url, {**details, "email": "iris@example.org"})
    assert "already has a booking" in duplicate.content.decode()


def test_register_and_certificate_from_staff_page(supervisor_client, client, course):
    booking = Booking.objects.create(
        course=course, name="Ash Merrow", email="ash@example.org", organisation="X", status="confirmed"
    )
    supervisor_client.post(reverse("education:course", args=[course.pk]), {"attended": [str(booking.pk)]})
    from safeguard.audit.models import AuditEntry

    supervisor_client.get(reverse("education:course", args=[course.pk]))
    assert AuditEntry.objects.filter(action="consultation", object_type="education.course").count() == 1
    pdf = client.get(reverse("education_public:certificate", args=[booking.token]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_targets_form(supervisor_client, analyst_client):
    data = {"year": "2026", "children": "1000000", "professionals": "1500"}
    assert analyst_client.post(reverse("education:set_target"), data).status_code == 403
    response = supervisor_client.post(reverse("education:set_target"), data, follow=True)
    assert "of 1,000,000" in response.content.decode()


def test_register_accredit_and_renew_a_trainer(supervisor_client, analyst_client):
    from safeguard.education.models import Trainer

    assert analyst_client.get(reverse("education:trainers")).status_code == 403
    url = reverse("education:trainers")
    data = {"name": "Wren Hallowby", "email": "Wren@Example.org", "kind": "ambassador", "region": "wales"}
    assert supervisor_client.post(url, data).status_code == 302
    again = supervisor_client.post(url, data)
    assert again.status_code == 400 and "already registered" in again.content.decode()
    trainer = Trainer.objects.get()
    accredit = reverse("education:trainer_accredit", args=[trainer.pk])
    page = supervisor_client.post(accredit, {"on": "10/01/2026"}, follow=True)
    assert "accredited until 09 January 2028" in page.content.decode()
    supervisor_client.post(accredit, {"on": "01/12/2027"})
    trainer.refresh_from_db()
    assert (trainer.accreditation_expires_on, trainer.renewals) == (date(2030, 1, 9), 1)
    bad = supervisor_client.post(accredit, {"on": "yesterday"}, follow=True)
    assert "not accredited: Enter a real date" in bad.content.decode()


def test_add_a_course(supervisor_client):
    url = reverse("education:course_new")
    bad = supervisor_client.post(url, {"title": "X", "starts_at": "01/01/2020 09:00", "ends_at": "01/01/2020 08:00"})
    body = bad.content.decode()
    assert "The course must end after it starts" in body and "The course must start in the future" in body
    assert "Enter the venue" in body and "Enter the number of places" in body
    start = timezone.localtime() + timedelta(days=20)
    data = {
        "title": "Spotting grooming: for social workers",
        "starts_at": f"{start:%d/%m/%Y} 09:30",
        "ends_at": f"{start:%d/%m/%Y} 12:30",
        "venue": "Tollgate Library",
        "region": "london",
        "capacity": "30",
    }
    assert supervisor_client.post(url, data).status_code == 302
    assert Course.objects.get().capacity == 30


def test_survey_from_definition_and_closing_it(supervisor_client, client, session, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    from safeguard.education.management.commands.load_survey import EXAMPLE
    from safeguard.education.models import Survey

    path = tmp_path / "survey.json"
    definition = json.loads(EXAMPLE)
    definition.pop("programme")
    path.write_text(json.dumps(definition))
    call_command("load_survey", str(path))
    survey = Survey.objects.get()
    assert [q.code for q in survey.questions.all()] == ["met_offline", "took_friend", "apps", "confidence"]
    definition["questions"][1]["condition"] = ["met_offline", "perhaps"]
    path.write_text(json.dumps(definition))
    with pytest.raises(CommandError, match="'perhaps' is not an answer to met_offline"):
        call_command("load_survey", str(path))
    assert Survey.objects.count() == 1

    link = SurveyLink.objects.create(survey=survey, session=session)
    supervisor_client.post(reverse("education:survey_open", args=[survey.pk]), {"open": "0"})
    assert client.get(reverse("education_public:survey", args=[link.token])).status_code == 410


def test_programmes_and_versions(supervisor_client):
    from safeguard.education.models import Programme

    url = reverse("education:programmes")
    data = {"name": "Real Talk", "code": "real-talk", "audience": "children"}
    assert supervisor_client.post(url, data).status_code == 302
    again = supervisor_client.post(url, {**data, "code": "bad code!"})
    assert again.status_code == 400
    assert "Another programme already has this name" in again.content.decode()
    assert "Use only letters, digits, hyphens and underscores" in again.content.decode()
    programme = Programme.objects.get()
    version_url = reverse("education:programme_version", args=[programme.pk])
    supervisor_client.post(version_url, {"version": "2.0", "released_on": "01/09/2026", "changes": "New games"})
    assert programme.current_version.version == "2.0"
    dup = supervisor_client.post(version_url, {"version": "2.0", "released_on": "02/09/2026"}, follow=True)
    assert "already has a version 2.0" in dup.content.decode()


def test_a_staff_trainer_records_only_their_own_sessions(supervisor_client, staff_client, make_staff, session):
    from safeguard.education.models import Trainer

    analyst = make_staff("analyst")
    url = reverse("education:trainers")
    unknown = supervisor_client.post(
        url, {"name": "Kit", "email": "kit@example.org", "kind": "staff", "region": "london", "username": "nobody"}
    )
    assert "no active staff account with the username nobody" in unknown.content.decode()
    data = {
        "name": "Kit",
        "email": "kit@example.org",
        "kind": "staff",
        "region": "london",
        "username": analyst.username,
    }
    assert supervisor_client.post(url, data).status_code == 302
    trainer = Trainer.objects.get(user=analyst)
    other = Trainer.objects.create(name="Other", email="o@example.org", kind="staff", region="london")

    client = staff_client(user=analyst)
    response = client.post(
        reverse("education:session_new"),
        {
            "organisation": session.organisation.pk,
            "programme": session.programme.pk,
            "delivered_on": "03/03/2026",
            "age_band": "8-10",
            "attendees": "30",
            "trainer": other.pk,
        },
    )
    assert response.status_code == 302
    assert Session.objects.get(delivered_on=date(2026, 3, 3)).trainer == trainer
