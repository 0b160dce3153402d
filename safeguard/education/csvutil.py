"""Shared pieces of the CSV imports: reading the file, row errors, dates.

Both imports (sessions, paper survey responses) are all-or-nothing: every row is checked first and
every problem reported with its row number, field and reason; only a file with no problem is saved.
Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

MAX_ROWS = 20_000
MAX_ERRORS_SHOWN = 200


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; 1 is the header, 0 the file as a whole
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class ImportRejected(Exception):
    """The file was not imported; `errors` says why, row by row. Nothing was saved."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported")


def read_csv(data: bytes | str, *, required: list[str], optional: list[str] = ()) -> list[tuple[int, dict]]:
    """Parse a CSV with a header row into (row number, {column: stripped value}) pairs.

    Raises ImportRejected for a file-level problem: not UTF-8, empty, missing or unknown columns.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([RowError(0, "", "the file is not UTF-8 text: save it as 'CSV UTF-8'")]) from None
    reader = csv.reader(io.StringIO(data))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportRejected(
            [RowError(0, "", "the file is empty: it needs a header row and at least one row")]
        ) from None
    header = [h.strip().lower() for h in header]
    errors = []
    missing = [c for c in required if c not in header]
    if missing:
        errors.append(RowError(1, "", f"missing column(s): {', '.join(missing)}"))
    unknown = [c for c in header if c not in required and c not in optional]
    if unknown:
        expected = ", ".join([*required, *optional])
        errors.append(RowError(1, "", f"unknown column(s): {', '.join(unknown)} (expected: {expected})"))
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        errors.append(RowError(1, "", f"column(s) given twice: {', '.join(repeated)}"))
    if errors:
        raise ImportRejected(errors)
    rows = []
    try:
        for line_number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # blank line, e.g. at the end of the file
            if len(values) != len(header):
                errors.append(RowError(line_number, "", f"has {len(values)} values, the header has {len(header)}"))
                continue
            rows.append((line_number, {h: v.strip() for h, v in zip(header, values, strict=True)}))
            if len(rows) > MAX_ROWS:
                raise ImportRejected([RowError(0, "", f"more than {MAX_ROWS} rows: split the file")])
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"cannot be read as CSV ({exc})"))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(0, "", "the file has a header but no rows")])
    return rows


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_date(text: str) -> date:
    """A date as 2026-03-14 or 14/03/2026 (UK order). ValueError with a readable reason otherwise."""
    if not text:
        raise ValueError("is empty: give a date like 2026-03-14 or 14/03/2026")
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date: use 2026-03-14 or 14/03/2026")


def parse_count(text: str, *, minimum: int = 0) -> int:
    if not text:
        raise ValueError("is empty: give a whole number")
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None
    if value < minimum:
        raise ValueError(
            f"{value} is below {minimum}: counts cannot be negative" if value < 0 else f"must be at least {minimum}"
        )
    return value
