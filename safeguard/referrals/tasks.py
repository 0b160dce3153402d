from django_tasks import task

from safeguard.core.task_priority import BULK

from .services import run_import


@task(priority=BULK)  # a whole file of referrals: behind single reports' triage (core/task_priority.py)
def run_referral_import(import_id: int) -> None:
    """Process a referral import from its checkpoint (see services.run_import). Safe to run twice."""

    run_import(import_id)
