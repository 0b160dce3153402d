"""GOV.UK style dates and times for public pages: "7 December 2026", "1pm", "1:30pm", "midday", "midnight".

Django's own `date:"g:ia"` prints "1:00p.m." in en-GB. The GOV.UK style guide asks for "5:30pm", "1pm" (not
"1:00pm"), and "midday" and "midnight" rather than 12pm and 12am. Staff pages keep 24-hour times.

    {% load govuk_dates %}
    {{ course.starts_at|govuk_datetime }}            Monday 7 December 2026 at 1:30pm
    {{ course.starts_at|govuk_datetime:"no_day" }}   7 December 2026 at 1:30pm
    {{ course.ends_at|govuk_time }}                  3pm
    {{ report.created_at|govuk_date }}               7 December 2026
"""

from datetime import date, datetime, time

from django import template
from django.utils import dateformat, timezone

register = template.Library()


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def govuk_time(value) -> str:
    """1pm, 1:30pm, 12:05am, midday, midnight. Empty for an empty value."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if not isinstance(value, datetime | time):
        return ""
    hour, minute = value.hour, value.minute
    if minute == 0 and hour == 12:
        return "midday"
    if minute == 0 and hour == 0:
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}" if minute == 0 else f"{twelve}:{minute:02d}{suffix}"


@register.filter
def govuk_date(value, style: str = "") -> str:
    """7 December 2026; with "day", Monday 7 December 2026."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if not isinstance(value, date):
        return ""
    return dateformat.format(value, "l j F Y" if style == "day" else "j F Y")


@register.filter
def govuk_datetime(value, style: str = "day") -> str:
    """Monday 7 December 2026 at 1:30pm; with "no_day", 7 December 2026 at 1:30pm."""
    if value in (None, ""):
        return ""
    return f"{govuk_date(value, '' if style == 'no_day' else 'day')} at {govuk_time(value)}"
