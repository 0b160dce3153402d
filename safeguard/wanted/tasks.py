"""Background work for Most Wanted: alert fan-out and telling the leading force about sightings."""

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import alerts
from .models import ForceNotification, WantedPerson, WantedStatus
from .sightings import send_force_notification

logger = logging.getLogger(__name__)


@task()
def fan_out_alerts(person_id: int) -> dict:
    """Create one delivery per matching subscriber, then queue the batches. Safe to run again:
    existing deliveries are kept as they are and only pending ones are queued."""
    person = WantedPerson.objects.defer("photo_png").filter(pk=person_id, status=WantedStatus.PUBLISHED).first()
    if person is None:
        return {"created": 0, "batches": 0}
    with transaction.atomic():
        created = alerts.create_deliveries(person)
        batches = alerts.pending_batches(person_id)
        alerts.record_fan_out(person, created=created, batches=len(batches))
        for first_id, last_id in batches:
            send_alert_batch.enqueue(person_id, first_id, last_id)
    return {"created": created, "batches": len(batches)}


@task()
def send_alert_batch(person_id: int, first_id: int, last_id: int) -> dict:
    return alerts.send_batch(person_id, first_id, last_id)


@task()
def notify_leading_force(notification_id: int) -> bool:
    """Email the leading force about a sighting. Retried by running again: sent ones are skipped."""

    notification = ForceNotification.objects.select_related("sighting__report", "sighting__person").get(
        pk=notification_id
    )
    if notification.sent_at:
        return True
    try:
        send_force_notification(notification)
    except Exception as error:
        ForceNotification.objects.filter(pk=notification_id).update(
            attempts=notification.attempts + 1, last_error=str(error)[:500]
        )
        raise
    ForceNotification.objects.filter(pk=notification_id).update(
        sent_at=timezone.now(), attempts=notification.attempts + 1, last_error=""
    )
    return True
