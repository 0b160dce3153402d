"""Bulk row writes for the import pipeline: COPY on PostgreSQL, executemany on SQLite, no per-row ORM saves.

The writer itself is `safeguard.core.bulk` (one fast writer for the referral import, the partner batch
endpoint and the audit log's bulk appends); these names are kept for the pipeline.
Rows are plain dicts keyed by field attname; a field a dict leaves out gets the model's default, so a
column another app adds later (with a default) does not break the import.
"""

from datetime import datetime

from django.utils import timezone

from safeguard.core.bulk import allocate_ids, write_rows

__all__ = ["allocate_ids", "now", "write_rows"]


def now() -> datetime:
    return timezone.now()
