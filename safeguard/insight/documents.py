"""The annual review and the strategic threat assessment as PDF documents (fpdf2; charts drawn as bars).

Both are built only from the suppressed tables in selectors/outcomes, with the same numbers the pages show.
"""

from fpdf import FPDF
from fpdf.fonts import FontFace

from .outcomes import outcomes
from .selectors import Filters, Period, _emerging, compare, period_end_date, tables
from .suppression import MIN_CELL, SUPPRESSED_TEXT, Table
from .trends import ALPHA

BLUE = (29, 112, 184)
GREY = (80, 80, 80)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(243, 242, 241))


def _latin1(text) -> str:
    # The core PDF fonts are Latin-1; platform names come from reporters and may hold anything.
    return str(text).encode("latin-1", "replace").decode("latin-1")


class Document(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.doc_title = title
        self.set_title(title)
        self.set_author("Safeguard")
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 6, _latin1(f"{self.doc_title} - page {self.page_no()}"), align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 16):
        if self.get_y() > 240:
            self.add_page()
        self.ln(3)
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, size * 0.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: int = 10):
        self.set_font("helvetica", "", size)
        self.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def key_figures(self, cells: list[tuple[str, str]]):
        """Big numbers, three to a row."""
        width = (self.w - self.l_margin - self.r_margin) / 3
        for i in range(0, len(cells), 3):
            y = self.get_y()
            if y > 250:
                self.add_page()
                y = self.get_y()
            for j, (label, value) in enumerate(cells[i : i + 3]):
                x = self.l_margin + j * width
                self.set_xy(x, y)
                self.set_font("helvetica", "B", 18)
                self.set_text_color(*BLUE)
                self.cell(width - 4, 9, _latin1(value))
                self.set_xy(x, y + 9)
                self.set_font("helvetica", "", 9)
                self.set_text_color(0, 0, 0)
                self.multi_cell(width - 4, 4.5, _latin1(label))
            self.set_y(y + 22)

    def bar_chart(self, table: Table, *, max_bars: int = 16):
        """Horizontal bars; suppressed cells have no bar and say so."""
        cells = [c for c in table.cells if c.count != 0][:max_bars]
        if not cells:
            return
        if self.get_y() + 6 * len(cells) + 8 > self.h - 20:
            self.add_page()
        label_w, bar_w = 60, self.w - self.l_margin - self.r_margin - 60 - 28
        largest = max((c.count or 0 for c in cells), default=0) or 1
        self.set_font("helvetica", "", 8)
        for cell in cells:
            y = self.get_y()
            self.set_x(self.l_margin)
            self.cell(label_w, 5, _latin1(cell.label[:40]), align="R")
            if cell.count:
                with self.local_context(fill_color=BLUE):  # the bar's colour must not leak into later tables
                    self.rect(
                        self.l_margin + label_w + 2, y + 0.8, max(0.5, bar_w * cell.count / largest), 3.4, style="F"
                    )
                x_text = self.l_margin + label_w + 4 + bar_w * cell.count / largest
            else:
                x_text = self.l_margin + label_w + 4
            self.set_xy(x_text, y)
            self.cell(26, 5, _latin1(cell.display))
            self.set_y(y + 5.5)
        self.ln(3)

    def data_table(self, headings: list[str], rows: list[list[str]], widths=None):
        self.set_font("helvetica", "", 8)
        with self.table(
            col_widths=widths,
            headings_style=HEADINGS,
            line_height=5,
            text_align=["LEFT"] + ["RIGHT"] * (len(headings) - 1),
            first_row_as_headings=True,
        ) as out:
            for row in [headings, *rows]:
                line = out.row()
                for value in row:
                    line.cell(_latin1(value))
        self.ln(3)

    def table_with_chart(self, table: Table):
        self.heading(table.title, 12)
        self.bar_chart(table)
        rows = [[c.label, c.display, c.share_display] for c in table.cells]
        if table.total is not None:
            rows.append(["Total", table.total.display, ""])
        self.data_table([table.label_heading, "Reports", "Share"], rows, widths=(90, 40, 30))


def _methods(pdf: Document, extra: str = ""):
    pdf.heading("Methods note", 14)
    pdf.para(
        "Sources. Every report received in the period counts once, by the month it was received (UK time): "
        "reports from the public (split by who reported: children and young people, parents and other adults, "
        "professionals), from industry partners through the reporting API, and international referrals. "
        "Figures are read from a rollup that counts each report exactly once and is rebuilt from the records "
        "on demand; a test rebuilds every figure from the raw reports independently."
    )
    pdf.para(
        "Classification. Online environment is what the reporter chose or, for industry reports, the kind of "
        "incident details sent. A report naming several activities is counted once, under the most serious "
        "(sharing of abuse material, then sextortion, offline meeting, requests for images, grooming), so every "
        "breakdown adds up to the total. Victim age band is the youngest age an industry partner gave; a young "
        "person reporting for themselves is under 18 with the age not given. Area is a UK region where the "
        "report names one."
    )
    pdf.para(
        f"Small numbers. Any count from 1 to {MIN_CELL - 1} is shown as '{SUPPRESSED_TEXT}', because a handful "
        "of reports could identify a child. Where a table shows a total and only one cell is suppressed, the "
        "next smallest cell is withheld too, so the total cannot reveal it. Shares are not given for "
        "suppressed cells. Survey findings use the education programme's own threshold and 95% Wilson intervals."
    )
    if extra:
        pdf.para(extra)


def annual_review_pdf(*, year: int) -> bytes:
    period = Period.year(year)
    current = tables(Filters(period))
    previous = tables(Filters(period.previous()))
    results = outcomes(start=period.start, end=period_end_date(period))

    pdf = Document(f"Safeguard annual review {year}")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 26)
    pdf.ln(30)
    pdf.multi_cell(0, 12, f"Annual review {year}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 13)
    pdf.multi_cell(
        0, 7, "National online child-protection centre: reports, outcomes and education", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(10)

    pdf.heading("Key figures")
    total, before = current["by_source"].total, previous["by_source"].total
    change = ""
    if total.count is not None and before.count:
        change = f" ({(total.count - before.count) / before.count:+.0%} on {year - 1})"
    figures = [(f"Reports received{change}", total.display)]
    figures += [(c.label, c.display) for c in results.headline[:6]]
    figures += [(c.label, c.display) for c in results.wanted[:2]]
    figures += [(c.label, c.display) for c in results.education[:2]]
    pdf.key_figures(figures)

    pdf.add_page()
    pdf.heading("Reports")
    for key in ("by_source", "by_environment", "by_activity", "by_age_band", "by_area", "by_month"):
        pdf.table_with_chart(current[key])

    pdf.heading(f"Compared with {year - 1}")
    for key in ("by_source", "by_environment", "by_activity"):
        comparison = compare(current[key], previous[key])
        pdf.heading(comparison.title, 11)
        pdf.data_table(
            [comparison.heading, str(year), str(year - 1), "Change"],
            [[label, now.display, was.display, change] for label, now, was, change in comparison.rows],
            widths=(80, 30, 30, 20),
        )

    pdf.add_page()
    pdf.heading("Outcomes")
    pdf.data_table(["Outcome", str(year)], [[c.label, c.display] for c in results.headline], widths=(120, 40))
    if results.by_recipient.cells:
        pdf.table_with_chart(results.by_recipient)
    pdf.heading("Most Wanted", 12)
    rows = [[c.label, c.display] for c in results.wanted]
    rows.append(
        [
            "Median days from appeal to location",
            "" if results.wanted_median_days is None else f"{results.wanted_median_days:g}",
        ]
    )
    pdf.data_table(["Measure", str(year)], rows, widths=(120, 40))
    if results.education:
        pdf.heading("Education reach and training", 12)
        pdf.data_table(["Measure", str(year)], [[c.label, c.display] for c in results.education], widths=(120, 40))
    if results.surveys:
        pdf.heading("Survey findings", 12)
        for finding in results.surveys:
            pdf.para(f"{finding.survey}: {finding.question}", 9)
            pdf.data_table(
                ["Answer", "Count", "Share (95% interval)"],
                [
                    [
                        c.label,
                        "suppressed" if c.suppressed else f"{c.count:,}",
                        "" if c.suppressed else f"{c.proportion:.0%} ({c.low:.0%} to {c.high:.0%})",
                    ]
                    for c in finding.cells
                ],
                widths=(90, 30, 40),
            )
    _methods(pdf)
    return bytes(pdf.output())


def threat_assessment_pdf(*, year: int) -> bytes:
    period = Period.year(year)
    filters = Filters(period)
    current = tables(filters)
    results = _emerging(filters)

    pdf = Document(f"Strategic threat assessment {year}")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 24)
    pdf.ln(30)
    pdf.multi_cell(0, 12, f"Strategic threat assessment {year}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 12)
    pdf.multi_cell(0, 7, "Where children meet risk online, and what is emerging", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)

    pdf.heading("Summary")
    env, act = current["by_environment"], current["by_activity"]
    top_env = max(env.cells, key=lambda c: c.count or 0)
    top_act = max(act.cells, key=lambda c: c.count or 0)
    emerging = [t for t in results if t.emerging]
    lines = [
        f"{current['by_source'].total.display} reports were received in {year}.",
        f"The most reported online environment was {top_env.label.lower()} ({top_env.display} reports, "
        f"{top_env.share_display} of all).",
        f"The most reported activity was {top_act.label.lower()} ({top_act.display} reports).",
    ]
    if emerging:
        names = ", ".join(t.label.lower() for t in emerging)
        lines.append(f"Growing significantly as a share of reports compared with {year - 1}: {names}.")
    else:
        lines.append(f"No environment or activity grew significantly as a share of reports compared with {year - 1}.")
    for line in lines:
        pdf.para(line, 11)

    pdf.heading("Emerging threats")
    for trend in emerging:
        pdf.heading(trend.label, 12)
        pdf.para(
            f"Share of reports {100 * trend.previous_share:.1f}% in {year - 1}, {100 * trend.current_share:.1f}% in "
            f"{year} ({trend.change_points:+.1f} points; z = {trend.z:.2f}, Holm-adjusted p = {trend.adjusted_p:.2g})."
        )
        if trend.platforms:
            pdf.data_table(
                ["Platform driving the rise", str(year - 1), str(year)],
                [[label, before.display, now.display] for label, before, now in trend.platforms],
                widths=(90, 35, 35),
            )
    pdf.heading("All tests", 12)
    pdf.data_table(
        ["Category", f"{year - 1} share", f"{year} share", "Change", "Adjusted p", "Finding"],
        [
            [
                t.label,
                "" if t.previous_share is None else f"{100 * t.previous_share:.1f}%",
                "" if t.current_share is None else f"{100 * t.current_share:.1f}%",
                "" if t.change_points is None else f"{t.change_points:+.1f}",
                "" if t.adjusted_p is None else f"{t.adjusted_p:.2g}",
                t.verdict,
            ]
            for t in results
        ],
        widths=(40, 22, 22, 18, 22, 50),
    )
    pdf.add_page()
    pdf.heading("Where children meet risk")
    for key in ("by_environment", "by_activity", "by_age_band", "by_source", "by_area"):
        pdf.table_with_chart(current[key])
    _methods(
        pdf,
        "Emerging threats. For each environment and activity, its share of reports this year is compared with "
        "its share in the year before by a two-proportion z-test (pooled standard error, two-sided). The "
        f"p-values are adjusted for the number of tests by Holm's method; a change is called significant when the "
        f"adjusted p is below {ALPHA}. Categories with a suppressed count in either year are not tested. Platforms "
        "driving a trend are those whose count in the category rose most.",
    )
    return bytes(pdf.output())


def filename(kind: str, year: int) -> str:
    return f"safeguard-{kind}-{year}.pdf"
