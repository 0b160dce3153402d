from django_tasks import task


@task()
def refresh_insight_rollup() -> int:
    """Count new reports into the threat-assessment rollup (schedule it, e.g. every 15 minutes)."""
    from .rollup import refresh_rollup

    return refresh_rollup()
