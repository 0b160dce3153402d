"""Staff pages for bulk referrals: upload, column mapping, live progress, errors CSV, summary and allocation.

Every page works without JavaScript: the progress page refreshes itself with a meta refresh while the
import runs.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability

from . import parsers, selectors, services
from .forms import AllocateForm, ChooseLinesForm, UploadForm, mapping_form
from .models import ImportFormat, ImportState, ReferralImport
from .schemas import CSV_COLUMNS, REQUIRED_CSV_COLUMNS

REFRESH_SECONDS = 3


def _import(request, pk: int) -> ReferralImport:
    try:
        return selectors.import_for(request.user, pk)
    except ReferralImport.DoesNotExist:
        raise Http404("No such import") from None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


@require_capability(Capability.IMPORT_REFERRALS)
def import_list(request):
    imports = selectors.imports_for(request.user)[:100]
    return render(request, "referrals/list.html", {"imports": imports, "nav": "referrals"})


# The form's other fields and the multipart framing around the file: a request longer than the limit plus this
# is refused from its Content-Length alone, before a byte of the body is read.
MULTIPART_SLACK = 64 * 1024


class _UploadLimit(FileUploadHandler):
    """Stops reading an upload the moment it passes the limit (a body sent without Content-Length, or one whose
    Content-Length understated it): nothing more is written to the temporary file."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.referral_upload_too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_big(request, form=None):
    context = {
        "form": form or UploadForm(),
        "problems": [services.too_big_message()],
        "nav": "referrals",
        "columns": CSV_COLUMNS,
        "max_upload": services.max_upload_text(),
    }
    return render(request, "referrals/new.html", context, status=413)


@csrf_exempt  # the size is checked first, then CSRF (below) once the body may be read
@require_capability(Capability.IMPORT_REFERRALS)
def new(request):
    """The upload page. A file over SAFEGUARD_MAX_REFERRAL_UPLOAD_BYTES is refused with the limit and what to do
    instead: from the declared length before the body is read, else as soon as the upload passes it."""
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > services.max_upload_bytes() + MULTIPART_SLACK:
            return _too_big(request)
        request.upload_handlers.insert(0, _UploadLimit(request, services.max_upload_bytes()))
    return _new(request)


@csrf_protect
def _new(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "referral_upload_too_big", False):
        return _too_big(request)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = form.cleaned_data["format"] or parsers.guess_format(upload.name)
        if not fmt:
            form.add_error("format", "Choose the file format: the file name does not say (.xml, .csv or .jsonl)")
        else:
            try:
                imp = services.create_import(
                    user=request.user,
                    partner=form.cleaned_data["partner"],
                    fmt=fmt,
                    original_name=upload.name,
                    upload=upload,
                )
            except ValidationError as exc:
                problems = _errors(exc)
            else:
                return _start_or_map(request, imp)
    context = {
        "form": form,
        "problems": problems,
        "nav": "referrals",
        "columns": CSV_COLUMNS,
        "max_upload": services.max_upload_text(),
    }
    return render(request, "referrals/new.html", context, status=400 if request.method == "POST" else 200)


def _start_or_map(request, imp: ReferralImport):
    if imp.format == ImportFormat.CSV:
        try:
            _, problems = services.csv_mapping_problems(imp)
        except parsers.FileProblem:
            problems = ["unreadable"]
        if problems:
            return redirect("referrals:mapping", pk=imp.pk)
    services.start(user=request.user, imp=imp)
    return redirect("referrals:detail", pk=imp.pk)


@require_capability(Capability.IMPORT_REFERRALS)
def mapping(request, pk: int):
    imp = _import(request, pk)
    if imp.format != ImportFormat.CSV or imp.state != ImportState.QUEUED or imp.checkpoint:
        return redirect("referrals:detail", pk=imp.pk)
    try:
        header = services.csv_header(imp)
    except parsers.FileProblem as exc:
        return render(
            request, "referrals/mapping.html", {"imp": imp, "fatal": str(exc), "nav": "referrals"}, status=400
        )
    form_class = mapping_form(header, imp.column_mapping)
    form = form_class(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen = {column: form.cleaned_data[f"column_{n}"] for n, column in enumerate(header)}
        problems = services.set_mapping(user=request.user, imp=imp, mapping=chosen)
        if not problems:
            services.start(user=request.user, imp=imp)
            return redirect("referrals:detail", pk=imp.pk)
    elif request.method == "GET":
        problems = parsers.resolve_columns(header, imp.column_mapping)[1]
    context = {
        "imp": imp,
        "form": form,
        "problems": problems,
        "required": REQUIRED_CSV_COLUMNS,
        "columns": CSV_COLUMNS,
        "nav": "referrals",
    }
    return render(request, "referrals/mapping.html", context, status=400 if request.method == "POST" else 200)


@require_capability(Capability.IMPORT_REFERRALS)
def detail(request, pk: int, *, problems=(), status=200):
    imp = _import(request, pk)
    live = imp.state in (ImportState.QUEUED, ImportState.RUNNING)
    context = {
        "imp": imp,
        "live": live,
        "refresh": REFRESH_SECONDS,
        "stale": services.is_stale(imp),
        "stale_seconds": services.seconds_since_heartbeat(imp),
        "no_worker": live and _no_worker(),
        "may_allocate": has_capability(request.user, Capability.ALLOCATE_REFERRALS),
        "problems": problems,
        "nav": "referrals",
    }
    return render(request, "referrals/detail.html", context, status=status)


def _no_worker() -> bool:
    """No task worker has beaten for a minute (core.readiness): a queued or restarting import waits for one."""
    from safeguard.core.readiness import check_task_worker

    try:
        return not check_task_worker().ok
    except Exception:  # the check's own dependency failing is for /readyz to report, not this page
        return False


@require_POST
@require_capability(Capability.IMPORT_REFERRALS)
def control(request, pk: int):
    imp = _import(request, pk)
    action = {"pause": services.request_pause, "resume": services.resume, "cancel": services.cancel}.get(
        request.POST.get("do", "")
    )
    if action is None:
        raise Http404("Unknown action")
    try:
        action(user=request.user, imp=imp)
    except ValidationError as exc:
        return detail(request, pk, problems=_errors(exc), status=400)
    done = {"pause": "Pausing after the chunk in hand", "resume": "Resumed", "cancel": "Cancelled"}
    messages.success(request, done[request.POST["do"]])
    return redirect("referrals:detail", pk=imp.pk)


@require_capability(Capability.IMPORT_REFERRALS)
def errors_csv(request, pk: int):
    imp = _import(request, pk)
    response = StreamingHttpResponse(selectors.error_rows(request.user, imp), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referral-import-{imp.pk}-errors.csv"'
    return response


@require_capability(Capability.ALLOCATE_REFERRALS)
def summary(request, pk: int):
    imp = _import(request, pk)
    facts = selectors.summary(request.user, imp)
    recipients = [
        (r["suggested_recipient_id"], r["suggested_recipient__name"])
        for r in facts["by_recipient"]
        if r["suggested_recipient_id"]
    ]
    staff = selectors.allocatable_staff()
    allocate_form = AllocateForm(prefix="allocate", recipients=recipients, staff=staff)
    disseminate_form = ChooseLinesForm(prefix="disseminate", recipients=recipients)
    problems: list[str] = []
    if request.method == "POST":
        if "allocate" in request.POST:
            allocate_form = AllocateForm(request.POST, prefix="allocate", recipients=recipients, staff=staff)
            if allocate_form.is_valid():
                data = allocate_form.cleaned_data
                try:
                    count = services.allocate(
                        user=request.user,
                        imp=imp,
                        bands=data["bands"],
                        assignees=list(data["assignees"]),
                        recipient_id=data["recipient"],
                    )
                except ValidationError as exc:
                    problems = _errors(exc)
                else:
                    messages.success(request, f"{count} reports allocated")
                    return redirect("referrals:summary", pk=imp.pk)
        elif "disseminate" in request.POST:
            disseminate_form = ChooseLinesForm(request.POST, prefix="disseminate", recipients=recipients)
            if disseminate_form.is_valid():
                data = disseminate_form.cleaned_data
                try:
                    drafts = services.disseminate(
                        user=request.user, imp=imp, bands=data["bands"], recipient_id=data["recipient"]
                    )
                except ValidationError as exc:
                    problems = _errors(exc)
                else:
                    messages.success(request, f"{len(drafts)} draft disseminations created, one per force")
                    return redirect("referrals:summary", pk=imp.pk)
    context = {
        "imp": imp,
        **facts,
        "allocate_form": allocate_form,
        "disseminate_form": disseminate_form,
        "problems": problems,
        "nav": "referrals",
    }
    return render(
        request, "referrals/summary.html", context, status=400 if problems or request.method == "POST" else 200
    )
