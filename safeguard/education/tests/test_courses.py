from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from safeguard.audit.services import Actor
from safeguard.education import courses
from safeguard.education.documents import CertificateUnavailable, booking_ics, certificate_pdf
from safeguard.education.models import BookingStatus, Course, Region


@pytest.fixture
def course(db):
    start = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    return Course.objects.create(
        title="Keeping children safe online: for teachers",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Room 4, Larkspur Civic Hall, Tollbridge",
        region=Region.SOUTH_WEST,
        capacity=2,
    )


def book(course, n):
    return courses.book_place(
        course=course, name=f"Person {n}", email=f"p{n}@example.org", organisation="Fernhill School"
    )


def test_places_fill_then_the_waiting_list_and_cancellation_promotes_in_order(
    course, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        a, b, c, d = (book(course, n) for n in range(4))
    assert [x.status for x in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert len(mail.outbox) == 4
    assert mail.outbox[0].subject.startswith("Your place is confirmed")
    assert mail.outbox[0].attachments[0][0] == "invitation.ics"
    assert mail.outbox[2].subject.startswith("You are on the waiting list") and not mail.outbox[2].attachments

    with django_capture_on_commit_callbacks(execute=True):
        promoted = courses.cancel_booking(booking=b, actor=Actor(label="test"))
    assert promoted.pk == c.pk
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, d.status) == (BookingStatus.CONFIRMED, BookingStatus.WAITING)
    assert mail.outbox[-1].to == ["p2@example.org"] and "confirmed" in mail.outbox[-1].subject

    assert courses.cancel_booking(booking=d, actor=Actor(label="test")) is None  # a waiting place frees nothing
    with pytest.raises(courses.BookingError, match="already cancelled"):
        courses.cancel_booking(booking=d, actor=Actor(label="test"))


def test_one_live_booking_per_email_and_no_booking_once_started(course):
    book(course, 1)
    with pytest.raises(courses.BookingError, match="already has a booking"):
        courses.book_place(course=course, name="Again", email="P1@Example.org ", organisation="X")
    course.starts_at = timezone.now() - timedelta(minutes=1)
    course.save()
    with pytest.raises(courses.BookingError, match="not taking bookings"):
        book(course, 9)


def test_invitation_is_a_valid_calendar_event(course):
    booking = book(course, 1)
    event = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
    assert str(event["summary"]) == course.title
    assert event.decoded("dtstart") == course.starts_at
    assert str(event["location"]) == course.venue
    assert "p1@example.org" in str(event["attendee"])
    booking.status = BookingStatus.CANCELLED
    assert Calendar.from_ical(booking_ics(booking))["method"] == "CANCEL"


def test_certificates_only_for_attendees(course):
    here, absent = book(course, 1), book(course, 2)
    with pytest.raises(CertificateUnavailable):
        certificate_pdf(here)
    assert courses.record_attendance(actor=Actor(label="test"), course=course, attended_ids={here.pk}) == 1
    here.refresh_from_db()
    absent.refresh_from_db()
    assert here.certificate_number.startswith("SG-") and absent.attended is False
    pdf = certificate_pdf(here)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_certificate_is_readable(course):
    from tests.pdfcheck import pdf_problems

    here = book(course, 1)
    courses.record_attendance(actor=Actor(label="test"), course=course, attended_ids={here.pk})
    here.refresh_from_db()
    assert pdf_problems(certificate_pdf(here)) == []
