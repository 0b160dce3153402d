"""CSV and XLSX of every table (built only from suppression.Table, so suppressed cells stay suppressed)."""

import csv
import io

from openpyxl import Workbook

from .selectors import TREND_HEADER
from .suppression import Table


def _safe(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet; labels come partly from reporters.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table.label_heading, "reports", "share"])
    for row in table.rows():
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def trends_csv(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TREND_HEADER)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def workbook(tables: list[Table], *, trend_rows: list[list] | None = None, note: str = "") -> bytes:
    """One sheet per table, plus the emerging-threat tests when given."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        if note:
            sheet.append([note])
        sheet.append([table.label_heading, "reports", "share"])
        for row in table.rows():
            sheet.append([_safe(v) for v in row])
    if trend_rows is not None:
        sheet = book.create_sheet("emerging_threats")
        sheet.append(TREND_HEADER)
        for row in trend_rows:
            sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
