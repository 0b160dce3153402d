"""Documents for course bookers: the calendar invitation (.ics, RFC 5545) and the attendance certificate (PDF)."""

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from fpdf import FPDF
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Booking, BookingStatus

ORGANISER_EMAIL = getattr(settings, "SAFEGUARD_EDUCATION_EMAIL", "training@safeguard.example")


def booking_ics(booking: Booking) -> bytes:
    """An invitation for the course; a cancelled booking gives a CANCEL so calendars remove the event."""
    course = booking.course
    calendar = Calendar()
    calendar.add("prodid", "-//Safeguard//Professional training//EN")
    calendar.add("version", "2.0")
    cancelled = booking.status == BookingStatus.CANCELLED or not course.bookable
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    # Stable per booking, so a later CANCEL or update replaces the same calendar entry.
    event.add("uid", f"booking-{booking.token[:16]}-{booking.pk}@safeguard")
    event.add("summary", course.title)
    event.add("dtstart", course.starts_at)
    event.add("dtend", course.ends_at)
    event.add("dtstamp", booking.booked_at)
    event.add("location", vText(course.venue))
    event.add("description", course.description or course.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    organizer = vCalAddress(f"mailto:{ORGANISER_EMAIL}")
    organizer.params["cn"] = vText("Safeguard training team")
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{booking.email}")
    attendee.params["cn"] = vText(booking.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


class CertificateUnavailable(Exception):
    pass


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; keep names readable rather than failing on a rare character.
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(booking: Booking) -> bytes:
    if not booking.attended or not booking.certificate_number:
        raise CertificateUnavailable("A certificate is issued only once attendance has been recorded.")
    course = booking.course
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Certificate of attendance: {course.title}")
    pdf.set_author("Safeguard")
    pdf.add_page()
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("helvetica", "B", 30)
    pdf.ln(25)
    pdf.cell(0, 16, "Certificate of attendance", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 16)
    pdf.ln(8)
    pdf.cell(0, 10, "This is to certify that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 24)
    pdf.cell(0, 16, _latin1(booking.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 16)
    pdf.cell(
        0,
        10,
        _latin1(f"of {booking.organisation}") if booking.organisation else "",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(0, 10, "attended the professional training course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 14, _latin1(course.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 14)
    day = format_date(timezone.localtime(course.starts_at), "j F Y")
    pdf.cell(0, 10, _latin1(f"{day}, {course.venue}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font("helvetica", "", 11)
    pdf.cell(0, 8, f"Certificate number {booking.certificate_number}", align="C")
    return bytes(pdf.output())
