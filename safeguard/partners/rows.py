"""Moved to safeguard.core.rows (audit.record_many uses it too); kept so existing imports still work."""

from safeguard.core.rows import new_rows

__all__ = ["new_rows"]
