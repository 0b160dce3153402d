"""Task priorities: the one scale every background task is queued on (issue 20: the child in danger goes first).

django-tasks priorities run from -100 to 100, higher first. The database queue (`db_worker`) claims the ready
task of highest priority, then the oldest; the RQ backend (core.internals.rq) puts a task on the Redis queue of
its priority's range (`rq_queue_for`), and RQ workers listen to those queues in order, urgent first.

A single report's triage task takes its priority from the report's first band (triage.task_priority); a partner
batch's triage is split into tasks of at most SAFEGUARD_TRIAGE_BATCH_TASK_SIZE reports at BATCH_TRIAGE, so a
worker comes back to the queue between them and takes a P1 report's task first; work over the whole register
(rescoring every open report, bulk imports) runs below normal.
"""

from django.conf import settings

# A single report's triage, by the report's first band (triage.task_priority.triage_priority reads these).
TRIAGE_P1 = 100  # a child in danger now: the highest django-tasks allows (RQ also puts it at the queue's front)
TRIAGE_P2 = 50
TRIAGE_P3 = 10
TRIAGE_P4 = 0

NORMAL = 0  # django-tasks' default: notifications, e-mails, one-off jobs
BULK = -20  # work over many records: rescoring every open report, the bulk referral import
BATCH_TRIAGE = -50  # a partner batch's triage, a slice of reports per task: behind everything a person waits on

# The Redis (RQ) queues, workers listening in this order (`manage.py rqworker urgent default bulk`): a task whose
# priority is URGENT_AT or more goes on "urgent", below BULK_BELOW on "bulk", the rest on "default".
URGENT_QUEUE, DEFAULT_QUEUE, BULK_QUEUE = "urgent", "default", "bulk"
RQ_QUEUE_ORDER = (URGENT_QUEUE, DEFAULT_QUEUE, BULK_QUEUE)
URGENT_AT = TRIAGE_P2
BULK_BELOW = NORMAL


def rq_queue_for(priority: int, configured: set[str] | frozenset[str] | dict) -> str:
    """The Redis queue for a task of this priority queued on the default queue, among the `configured` ones
    (RQ_QUEUES): where urgent or bulk is not configured, the default queue (as before issue 20)."""
    if priority >= URGENT_AT and URGENT_QUEUE in configured:
        return URGENT_QUEUE
    if priority < BULK_BELOW and BULK_QUEUE in configured:
        return BULK_QUEUE
    return DEFAULT_QUEUE


def batch_triage_task_size() -> int:
    """Most reports one batch-triage task triages (setting SAFEGUARD_TRIAGE_BATCH_TASK_SIZE, default 500): how long
    a worker can be away from the queue while a P1 waits is about this many reports' triage."""
    return max(1, int(getattr(settings, "SAFEGUARD_TRIAGE_BATCH_TASK_SIZE", 500)))
