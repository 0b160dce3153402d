from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from safeguard.insight.models import MonthlyCount, RollupState
from safeguard.insight.tasks import refresh_insight_rollup
from safeguard.reporting.models import Report

from .factories import at, report


@pytest.mark.django_db
def test_command_counts_new_reports_and_full_rebuilds():
    report(received=at(2026, 2), categories=["meet_up"])
    out = StringIO()
    call_command("refresh_insight", stdout=out)
    assert "Counted 1 report(s)." in out.getvalue()
    Report.objects.all().delete()  # e.g. erased under the retention schedule
    call_command("refresh_insight", "--full", stdout=out)
    assert MonthlyCount.objects.count() == 0
    assert RollupState.objects.get(pk=1).reports_counted == 0


@pytest.mark.django_db
def test_task_refreshes():
    made = report(received=at(2026, 2))
    Report.objects.filter(pk=made.pk).update(created_at=timezone.now() - timedelta(hours=1))
    result = refresh_insight_rollup.enqueue()
    assert result.return_value == 1
