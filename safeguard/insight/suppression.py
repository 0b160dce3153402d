"""Small-cell suppression: the one place that decides which numbers may be shown (docs/adr/0081).

Primary: a count from 1 to `MIN_CELL - 1` is shown as "fewer than 5" (a handful of reports from one area, age
and platform could identify a child). Zero is shown: it identifies nobody. Secondary: when a table shows its
total and exactly one cell in it is suppressed, the total minus the others would give that cell away, so the
smallest other non-zero cell is "withheld" too. A total that is itself small is suppressed with every cell.
Shares (percentages) are never given for a suppressed cell. Every output (pages, charts, CSV, XLSX, PDF) is
built from the `Table`s made here, so no output can forget.
"""

from dataclasses import dataclass, field

from django.conf import settings

MIN_CELL = getattr(settings, "SAFEGUARD_INSIGHT_MIN_CELL", 5)
SUPPRESSED_TEXT = f"fewer than {MIN_CELL}"
WITHHELD_TEXT = "withheld"  # secondary suppression: the count may be large, but shown it would reveal a small one


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int | None  # None when suppressed
    share: float | None = None  # of the table's total, 0 to 1; None when suppressed or no total
    withheld: bool = False  # suppressed only so that the total cannot reveal a small cell

    @property
    def suppressed(self) -> bool:
        return self.count is None

    @property
    def display(self) -> str:
        if self.count is None:
            return WITHHELD_TEXT if self.withheld else SUPPRESSED_TEXT
        return f"{self.count:,}"

    @property
    def share_display(self) -> str:
        return "" if self.share is None else f"{self.share:.1%}"


@dataclass
class Table:
    key: str  # used in export file names
    title: str
    label_heading: str
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None
    note: str = ""

    @property
    def largest(self) -> int:
        return max((c.count or 0 for c in self.cells), default=0)

    def bar_percent(self, cell: Cell) -> int:
        return round(100 * (cell.count or 0) / self.largest) if self.largest else 0

    def rows(self) -> list[list]:
        """Plain rows for CSV/XLSX: label, count (or the suppression text), share."""
        out = [[c.label, c.display if c.suppressed else c.count, c.share_display] for c in self.cells]
        if self.total is not None:
            out.append([self.total.label, self.total.display if self.total.suppressed else self.total.count, ""])
        return out


def is_small(n: int) -> bool:
    return 0 < n < MIN_CELL


def suppress(
    key: str, title: str, label_heading: str, items: list[tuple[str, str, int]], *, with_total: bool = True, note=""
) -> Table:
    """A table of (key, label, count) with primary and secondary suppression applied."""
    total = sum(n for _, _, n in items)
    hidden = {k for k, _, n in items if is_small(n)}
    withheld = set()
    if with_total and is_small(total):
        hidden = {k for k, _, n in items if n}
    elif with_total and len(hidden) == 1:
        others = sorted((n, k) for k, _, n in items if n and k not in hidden)
        if others:
            withheld.add(others[0][1])
            hidden |= withheld
    shown_total = None if is_small(total) else total
    cells = [
        Cell(
            key=k,
            label=label,
            count=None if k in hidden else n,
            share=(n / total) if (k not in hidden and total and shown_total is not None) else None,
            withheld=k in withheld,
        )
        for k, label, n in items
    ]
    total_cell = Cell(key="total", label="Total", count=shown_total, share=None) if with_total else None
    return Table(key=key, title=title, label_heading=label_heading, cells=cells, total=total_cell, note=note)


def figure(key: str, label: str, n: int) -> Cell:
    """A single headline count."""
    return Cell(key=key, label=label, count=None if is_small(n) else n)
