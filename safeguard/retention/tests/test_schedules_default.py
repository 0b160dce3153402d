import pytest

from safeguard.retention.models import RecordType, RetentionSchedule
from safeguard.retention.services import ensure_default_schedules

pytestmark = pytest.mark.django_db


def test_lost_schedules_come_back_with_their_defaults_and_changed_ones_stay():
    assert ensure_default_schedules() == 0  # the migration seeded all four
    RetentionSchedule.objects.filter(record_type=RecordType.REPORT).update(review_after_days=100)
    RetentionSchedule.objects.exclude(record_type=RecordType.REPORT).delete()
    assert ensure_default_schedules() == 3
    assert set(RetentionSchedule.objects.values_list("record_type", flat=True)) == set(RecordType.values)
    assert RetentionSchedule.objects.get(record_type=RecordType.REPORT).review_after_days == 100
    assert RetentionSchedule.objects.get(record_type=RecordType.CASE).review_after_days == 10 * 365
