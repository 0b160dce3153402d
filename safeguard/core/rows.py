"""Unsaved model instances for many rows at once, without Django's per-instance __init__.

A batch of 200 partner reports makes 600 of them (reports, partner records, audit entries), and
Model.__init__ walks every field of the ~45-field Report, asking each for its default: about a quarter
of a batch's CPU (ADR 0019). Here the defaults are worked out once per model, and each instance is the defaults plus the
given values, set straight into its __dict__ (what Django itself does when loading rows from the
database, Model.from_db). The instances save, bulk-insert and audit like any other.

How the instances are made without __init__ is `core.internals.models` (ADR 0097).
"""

from typing import TypeVar, cast

from django.db.models import Model

from .internals.models import build_unsaved, cache_related, mark_saved

__all__ = ["cache_related", "mark_saved", "new_rows"]

M = TypeVar("M", bound=Model)


def new_rows(model: type[M], rows: list[dict]) -> list[M]:
    """Unsaved `model` instances, one per dict of values keyed by attname (`partner_id`, not `partner`)."""
    return cast(list[M], build_unsaved(model, rows))
