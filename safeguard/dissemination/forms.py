"""Reading posted values: small helpers, so the views stay thin and every bad value gets its own message."""

from datetime import date


def posted_bool(data, name: str) -> bool:
    return data.get(name) in ("on", "true", "1", "yes")


def posted_date(data, prefix: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input (prefix-day, prefix-month, prefix-year): the date, or why it is not one."""
    parts = [(data.get(f"{prefix}-{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None, "Enter the date it happened, like 27 3 2026."
    if not all(parts):
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        return None, f"The date must include a {' and '.join(missing)}."
    if not all(p.isdigit() for p in parts):
        return None, "The date must be in numbers, like 27 3 2026."
    day, month, year = (int(p) for p in parts)
    if year < 1000:
        return None, "The year must have 4 numbers, like 2026."
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "The date must be a real date."


def posted_count(data, name: str) -> tuple[int | None, str | None]:
    raw = (data.get(name) or "").strip().replace(",", "")
    if not raw:
        return None, None
    if not raw.isdigit():
        return None, "Enter the number of children as a whole number, like 2."
    return int(raw), None


def split_references(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]
