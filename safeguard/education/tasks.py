from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .documents import ORGANISER_EMAIL, booking_ics
from .models import Booking, BookingStatus

SITE_URL = settings.SAFEGUARD_PUBLIC_BASE_URL


@task()
def send_booking_email(booking_id: int) -> None:
    """Email the booker their confirmation or waiting-list place, with the course as a calendar invitation.

    Run in the background so the public page answers at once and a slow mail server cannot lose a booking.
    """
    booking = Booking.objects.select_related("course").filter(pk=booking_id).first()
    if booking is None or booking.status == BookingStatus.CANCELLED:
        return
    course = booking.course
    link = SITE_URL + reverse("education_public:booking", args=[booking.token])
    if booking.status == BookingStatus.CONFIRMED:
        subject = f"Your place is confirmed: {course.title}"
        opening = "Your place on this course is confirmed. The calendar invitation is attached."
    else:
        subject = f"You are on the waiting list: {course.title}"
        opening = "The course is full, so you are on the waiting list. We will email you if a place comes free."
    starts = timezone.localtime(course.starts_at)
    body = (
        f"Dear {booking.name},\n\n{opening}\n\n{course.title}\n{starts:%A %d %B %Y, %H:%M}\n{course.venue}\n\n"
        f"To see or cancel your booking: {link}\n"
    )
    message = EmailMessage(subject=subject, body=body, from_email=ORGANISER_EMAIL, to=[booking.email])
    if booking.status == BookingStatus.CONFIRMED:
        message.attach("invitation.ics", booking_ics(booking), "text/calendar; method=REQUEST; charset=utf-8")
    message.send()
