from django_tasks import task

from .services import run_import


@task()
def run_referral_import(import_id: int) -> None:
    """Process a referral import from its checkpoint (see services.run_import). Safe to run twice."""

    run_import(import_id)
