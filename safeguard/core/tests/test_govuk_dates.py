from datetime import UTC, date, datetime, time

import pytest
from django.template import Context, Template

from safeguard.core.templatetags.govuk_dates import govuk_date, govuk_datetime, govuk_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(13, 0), "1pm"),
        (time(13, 30), "1:30pm"),
        (time(0, 5), "12:05am"),
        (time(12, 45), "12:45pm"),
        (time(9, 0), "9am"),
        (time(23, 59), "11:59pm"),
    ],
)
def test_govuk_time(value, expected):
    assert govuk_time(value) == expected


def test_aware_datetimes_are_shown_in_london_time():
    # 12:00 UTC in June is 1pm in London (British Summer Time).
    assert govuk_time(datetime(2026, 6, 1, 12, 0, tzinfo=UTC)) == "1pm"
    assert govuk_time(datetime(2026, 12, 7, 12, 0, tzinfo=UTC)) == "midday"


def test_govuk_date_and_datetime():
    assert govuk_date(date(2026, 12, 7)) == "7 December 2026"
    assert govuk_date(date(2026, 12, 7), "day") == "Monday 7 December 2026"
    moment = datetime(2026, 12, 7, 13, 30, tzinfo=UTC)
    assert govuk_datetime(moment) == "Monday 7 December 2026 at 1:30pm"
    assert govuk_datetime(moment, "no_day") == "7 December 2026 at 1:30pm"


def test_empty_values_print_nothing():
    assert govuk_time(None) == govuk_date("") == govuk_datetime(None) == ""


def test_usable_from_a_template():
    rendered = Template("{% load govuk_dates %}{{ t|govuk_time }} {{ d|govuk_date }}").render(
        Context({"t": time(0, 0), "d": date(2026, 12, 7)})
    )
    assert rendered == "midnight 7 December 2026"
