"""Staff pages for case work and operations. Reads go through selectors, writes through services.

Every page works without JavaScript: each section of the case page is its own small form posting to `act`,
which redirects back on success and re-renders the page with the typed values and errors on failure.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safeguard.accounts.roles import Capability, check_capability, has_capability, require_capability
from safeguard.reporting.references import normalise_reference

from . import forms, selectors, services
from .models import Case, CaseStatus, LineOfEnquiry, Operation

PAGE_SIZE = 25


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_capability(Capability.VIEW_CASES)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    scope = "all" if request.GET.get("scope") == "all" else "mine"
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    cases = selectors.case_list(user=request.user, mine_only=scope == "mine", status=status)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.record_list_consultation(user=request.user, cases=page.object_list, scope=scope)
    context = {
        "page": page,
        "scope": scope,
        "status": status,
        "statuses": CaseStatus.choices,
        "may_manage": has_capability(request.user, Capability.MANAGE_CASES),
        "nav": "cases",
    }
    return render(request, "cases/list.html", context)


@require_capability(Capability.MANAGE_CASES)
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest) -> HttpResponse:
    """The open-a-case form; the staff report page links here with ?report=REFERENCE to start from that report."""
    if request.method == "POST":
        form = forms.OpenCaseForm(request.POST)
        if form.is_valid():
            try:
                case = services.open_case(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    report_ids=form.cleaned_data["reports"],
                    subject_ids=form.cleaned_data["subjects"],
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, f"Case {case.reference} opened.")
                return redirect("cases:detail", pk=case.pk)
        return render(request, "cases/open.html", {"form": form, "nav": "cases"}, status=400)
    initial = {}
    reference = normalise_reference(request.GET.get("report", ""))
    if reference:
        initial = {"reports": reference, "title": f"Report {reference}"}
    return render(request, "cases/open.html", {"form": forms.OpenCaseForm(initial=initial), "nav": "cases"})


def _case_or_404(user, pk: int) -> Case:
    try:
        return selectors.case_detail(user=user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404("No such case") from None


def _evidence_choices(case: Case):
    from safeguard.evidence.models import EvidenceFile

    attached = case.attachments.values_list("evidence_id", flat=True)
    files = EvidenceFile.objects.filter(report__in=case.reports.all()).exclude(pk__in=attached).select_related("report")
    return [(f.pk, f"{f.report.reference}: {f.original_name or 'file'} ({f.detected_type}, sha256 {f.sha256[:12]}…)")
            for f in files]  # fmt: skip


def _render_case(request, case: Case, *, bound: dict | None = None, error: str = "", status: int = 200):
    bound = bound or {}
    enquiries = list(case.enquiries.select_related("assignee"))
    for enquiry in enquiries:
        enquiry.form = bound.get(f"enquiry-{enquiry.pk}") or forms.EnquiryUpdateForm(
            prefix=f"e{enquiry.pk}",
            initial={
                "status": enquiry.status,
                "result": enquiry.result,
                "due_date": enquiry.due_date,
                "assignee": enquiry.assignee_id,
            },
        )
    context = {
        "case": case,
        "reports": case.reports.order_by("created_at"),
        "subjects": case.subjects.all(),
        "enquiries": enquiries,
        "notes": case.notes.select_related("author"),
        "attachments": case.attachments.select_related("evidence", "evidence__report", "added_by"),
        "history": case.status_changes.select_related("changed_by"),
        "operations": case.operations.all(),
        "may_manage": has_capability(request.user, Capability.MANAGE_CASES),
        "may_disseminate": has_capability(request.user, Capability.PREPARE_DISSEMINATION),
        "enquiry_form": bound.get("enquiry") or forms.EnquiryForm(prefix="new"),
        "note_form": bound.get("note") or forms.NoteForm(),
        "attach_form": bound.get("attach") or forms.AttachForm(evidence_choices=_evidence_choices(case)),
        "status_form": bound.get("status") or forms.StatusForm(initial={"status": case.status}),
        "add_form": bound.get("add") or forms.AddToCaseForm(),
        "action_error": error,
        "nav": "cases",
    }
    return render(request, "cases/detail.html", context, status=status)


@require_capability(Capability.VIEW_CASES)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case_or_404(request.user, pk))


def _apply(request, case: Case, action: str):
    """Run one action from the case page: (form key, form) on a problem, None on success."""
    post, user = request.POST, request.user
    if action == "enquiry":
        form = forms.EnquiryForm(post, prefix="new")
        run = lambda d: services.add_enquiry(actor=user, case=case, **d)  # noqa: E731
        key, done = "enquiry", "Line of enquiry added."
    elif action == "update_enquiry":
        enquiry = LineOfEnquiry.objects.filter(case=case, pk=post.get("enquiry")).first()
        if enquiry is None:
            raise Http404("No such line of enquiry on this case")
        form = forms.EnquiryUpdateForm(post, prefix=f"e{enquiry.pk}")
        run = lambda d: services.update_enquiry(actor=user, enquiry=enquiry, **d)  # noqa: E731
        key, done = f"enquiry-{enquiry.pk}", "Line of enquiry updated."
    elif action == "note":
        form = forms.NoteForm(post)
        run = lambda d: services.add_note(actor=user, case=case, **d)  # noqa: E731
        key, done = "note", "Note added."
    elif action == "attach":
        form = forms.AttachForm(post, evidence_choices=_evidence_choices(case))
        run = lambda d: services.attach_evidence(  # noqa: E731
            actor=user, case=case, evidence_id=d["evidence"], description=d["description"]
        )
        key, done = "attach", "Evidence reference attached."
    elif action == "status":
        form = forms.StatusForm(post)
        run = lambda d: services.change_case_status(actor=user, case=case, **d)  # noqa: E731
        key, done = "status", "Case status changed."
    elif action == "add":
        form = forms.AddToCaseForm(post)
        run = lambda d: services.add_to_case(  # noqa: E731
            actor=user, case=case, report_ids=d["reports"], subject_ids=d["subjects"]
        )
        key, done = "add", "Added to the case."
    else:
        raise Http404("Unknown action")
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, done)
            return None
    return key, form


@require_capability(Capability.MANAGE_CASES)
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = Case.objects.filter(pk=pk).first()
    if case is None:
        raise Http404("No such case")
    problem = _apply(request, case, request.POST.get("action", ""))
    if problem is None:
        return redirect("cases:detail", pk=case.pk)
    key, form = problem
    errors = [e for errors in form.errors.values() for e in errors]
    case = _case_or_404(request.user, pk)
    return _render_case(request, case, bound={key: form}, error=" ".join(errors), status=400)


# --- Operations ----------------------------------------------------------------------------------------------


@require_capability(Capability.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def operation_list(request: HttpRequest) -> HttpResponse:
    form = forms.OperationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        check_capability(request.user, Capability.MANAGE_CASES)
        if form.is_valid():
            try:
                operation = services.create_operation(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    case_ids=form.cleaned_data["cases"],
                    subject_ids=form.cleaned_data["subjects"],
                )
            except ValidationError as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, f"{operation.name} created.")
                return redirect("cases:operation", pk=operation.pk)
        status = 400
    context = {
        "operations": selectors.operation_list(user=request.user),
        "form": form,
        "may_manage": has_capability(request.user, Capability.MANAGE_CASES),
        "nav": "cases",
    }
    return render(request, "cases/operations.html", context, status=status)


def _render_operation(request, operation: Operation, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    context = {
        "operation": operation,
        "cases": operation.cases.select_related("owner"),
        "subjects": operation.subjects.all(),
        "deployments": operation.deployments.select_related("force", "recorded_by"),
        "add_form": bound.get("add") or forms.AddToOperationForm(),
        "deployment_form": bound.get("deployment") or forms.DeploymentForm(initial={"major": True}),
        "may_manage": has_capability(request.user, Capability.MANAGE_CASES),
        "nav": "cases",
    }
    return render(request, "cases/operation.html", context, status=status)


@require_capability(Capability.VIEW_CASES)
@require_http_methods(["GET", "POST"])
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        operation = selectors.operation_detail(user=request.user, operation_id=pk)
    except Operation.DoesNotExist:
        raise Http404("No such operation") from None
    if request.method == "GET":
        return _render_operation(request, operation)
    check_capability(request.user, Capability.MANAGE_CASES)
    action = request.POST.get("action")
    if action == "add":
        form, key = forms.AddToOperationForm(request.POST), "add"
        run = lambda d: services.add_to_operation(  # noqa: E731
            actor=request.user, operation=operation, case_ids=d["cases"], subject_ids=d["subjects"]
        )
    elif action == "deployment":
        form, key = forms.DeploymentForm(request.POST), "deployment"
        run = lambda d: services.record_deployment(actor=request.user, operation=operation, **d)  # noqa: E731
    else:
        raise Http404("Unknown action")
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Deployment recorded." if key == "deployment" else "Added to the operation.")
            return redirect("cases:operation", pk=operation.pk)
    return _render_operation(request, operation, bound={key: form}, status=400)
