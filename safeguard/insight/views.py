"""Staff pages of the threat assessment: figures, emerging threats, outcomes, exports and the publications."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability

from . import documents, exports, selectors
from .forms import FilterForm, YearForm
from .outcomes import outcomes
from .rollup import refresh_rollup
from .suppression import MIN_CELL, SUPPRESSED_TEXT, Table

TABLE_KEYS = ("by_source", "by_environment", "by_activity", "by_age_band", "by_area", "by_month")


def _context(request, **extra) -> dict:
    return {
        "nav": "insight",
        "state": selectors.rollup_state(),
        "min_cell": MIN_CELL,
        "suppressed_text": SUPPRESSED_TEXT,
        "may_publish": has_capability(request.user, Capability.PUBLISH_REVIEW),
        "query": request.GET.urlencode(),
        **extra,
    }


@require_capability(Capability.VIEW_INSIGHT)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters = form.filters()
    board = selectors.dashboard(request.user, filters)
    return render(
        request,
        "insight/dashboard.html",
        _context(request, form=form, filters=filters, board=board, tables=[board["tables"][k] for k in TABLE_KEYS]),
    )


@require_capability(Capability.VIEW_INSIGHT)
def emerging(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, with_quarter=False)
    filters = form.filters()
    results = selectors.emerging_threats(request.user, filters)
    return render(
        request,
        "insight/emerging.html",
        _context(
            request,
            form=form,
            filters=filters,
            results=results,
            emerging=[t for t in results if t.emerging],
            previous_label=filters.period.previous().label,
        ),
    )


def _year(request) -> int:
    form = YearForm(request.GET or None)
    return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year


@require_capability(Capability.VIEW_INSIGHT)
def outcome_page(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    year = _year(request)
    period = selectors.Period.year(year)
    results = outcomes(start=period.start, end=selectors.period_end_date(period))
    return render(request, "insight/outcomes.html", _context(request, form=form, year=year, results=results))


@require_capability(Capability.VIEW_INSIGHT)
def export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Exports are CSV or XLSX")
    form = FilterForm(request.GET or None)
    filters = form.filters()
    note = f"Reports: {filters.describe()}. Counts from 1 to {MIN_CELL - 1} are shown as '{SUPPRESSED_TEXT}'."
    stem = f"safeguard-{key}-{filters.period.start:%Y-%m}-to-{filters.period.end:%Y-%m}"
    if key == "emerging":
        rows = selectors.trend_table(selectors.emerging_threats(request.user, filters))
        body = exports.trends_csv(rows) if fmt == "csv" else exports.workbook([], trend_rows=rows, note=note)
    elif key == "outcomes":
        period = filters.period
        results = outcomes(start=period.start, end=selectors.period_end_date(period))
        headline = Table(
            key="outcomes",
            title="Outcomes",
            label_heading="Outcome",
            cells=results.headline + results.wanted + results.education,
        )
        tables = [headline, results.by_recipient]
        body = exports.table_csv(tables[0]) if fmt == "csv" else exports.workbook(tables, note=note)
    else:
        board = selectors.dashboard(request.user, filters)["tables"]
        if key == "all":
            if fmt == "csv":
                raise Http404("Every table at once is an XLSX workbook: ask for all.xlsx")
            body = exports.workbook([board[k] for k in TABLE_KEYS], note=note)
        elif key in board:
            body = exports.table_csv(board[key]) if fmt == "csv" else exports.workbook([board[key]], note=note)
        else:
            raise Http404("No such table")
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@require_capability(Capability.PUBLISH_REVIEW)
def publications(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET or None)
    return render(request, "insight/publications.html", _context(request, form=form, year=_year(request)))


@require_capability(Capability.PUBLISH_REVIEW)
def publication_pdf(request: HttpRequest, kind: str, year: int) -> HttpResponse:
    if year not in selectors.years_with_data():
        raise Http404("No figures for that year")
    if kind == "annual-review":
        body = documents.annual_review_pdf(year=year)
    elif kind == "threat-assessment":
        body = documents.threat_assessment_pdf(year=year)
    else:
        raise Http404("No such document")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(kind, year)}"'
    return response


@require_POST
@require_capability(Capability.PUBLISH_REVIEW)
def refresh(request: HttpRequest) -> HttpResponse:
    counted = refresh_rollup()
    messages.success(request, f"Counted {counted:,} new report{'s' if counted != 1 else ''} into the figures.")
    return redirect("insight:dashboard")
