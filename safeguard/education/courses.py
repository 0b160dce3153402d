"""Professional training courses: booking from the public site, the waiting list, attendance, certificates.

Places are counted under a row lock on the course, so two people booking the last place at once cannot
both get it; a cancellation promotes the longest-waiting person in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .models import Booking, BookingStatus, Course


class BookingError(Exception):
    """Why a booking could not be made or changed, in words for the person booking."""


def places_left(course: Course) -> int:
    return max(0, course.capacity - course.bookings.filter(status=BookingStatus.CONFIRMED).count())


def book_place(*, course: Course, name: str, email: str, organisation: str, job_title: str = "") -> Booking:
    """Confirm a place if one is free, else join the waiting list. An invitation (.ics) is emailed either way."""
    email = email.strip().lower()
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if not course.bookable or course.starts_at <= timezone.now():
            raise BookingError("This course is not taking bookings.")
        if course.bookings.exclude(status=BookingStatus.CANCELLED).filter(email=email).exists():
            raise BookingError("This email address already has a booking on this course.")
        status = BookingStatus.CONFIRMED if places_left(course) > 0 else BookingStatus.WAITING
        booking = Booking.objects.create(
            course=course,
            name=name.strip(),
            email=email,
            organisation=organisation.strip(),
            job_title=job_title.strip(),
            status=status,
        )
        record(
            action=Action.COLLECTION,
            actor=Actor(label="member of the public (course booking)"),
            obj=booking,
            detail={"status": status},
        )
        _send_email_on_commit(booking.pk)
    return booking


def cancel_booking(*, booking: Booking, actor: Actor) -> Booking | None:
    """Cancel; if that frees a confirmed place, promote the first on the waiting list. Returns who was promoted."""
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=booking.course_id)
        booking = Booking.objects.get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            raise BookingError("This booking is already cancelled.")
        freed_place = booking.status == BookingStatus.CONFIRMED
        booking.status = BookingStatus.CANCELLED
        booking.save(update_fields=["status"])
        record(action=Action.ALTERATION, actor=actor, obj=booking, detail={"status": "cancelled"})
        promoted = None
        if freed_place and places_left(booking.course) > 0:
            promoted = (
                Booking.objects.filter(course_id=booking.course_id, status=BookingStatus.WAITING)
                .order_by("booked_at", "id")
                .first()
            )
            if promoted:
                promoted.status = BookingStatus.CONFIRMED
                promoted.promoted_at = timezone.now()
                promoted.save(update_fields=["status", "promoted_at"])
                record(
                    action=Action.ALTERATION,
                    actor=Actor.system("waiting list"),
                    obj=promoted,
                    detail={"status": "confirmed", "promoted_after": booking.pk},
                )
                _send_email_on_commit(promoted.pk)
    return promoted


def record_attendance(*, actor: Actor, course: Course, attended_ids: set[int]) -> int:
    """Take the register: confirmed bookings ticked attended, the rest did not. Certificates follow attendance."""
    with transaction.atomic():
        confirmed = list(course.bookings.filter(status=BookingStatus.CONFIRMED))
        for booking in confirmed:
            booking.attended = booking.pk in attended_ids
            if booking.attended and not booking.certificate_number:
                booking.certificate_number = f"SG-{course.starts_at:%Y}-{course.pk:04d}-{booking.pk:05d}"
        Booking.objects.bulk_update(confirmed, ["attended", "certificate_number"])
        record(
            action=Action.ALTERATION,
            actor=actor,
            obj=course,
            detail={"register": {"attended": sum(1 for b in confirmed if b.attended), "booked": len(confirmed)}},
        )
    return sum(1 for b in confirmed if b.attended)


def _send_email_on_commit(booking_id: int) -> None:
    from .tasks import send_booking_email

    transaction.on_commit(lambda: send_booking_email.enqueue(booking_id))
