"""Staff pages: the list of packages, building one (grading, sanitising, routing), approval and sending.

Views read the request and render; the rules live in services.py and handling.py. A rejected form shows the
page again with every error and what was typed, so nothing already entered is lost.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record
from safeguard.reporting.models import Report
from safeguard.reporting.references import normalise_reference
from safeguard.routing.models import Recipient, RecipientKind

from . import selectors, services
from .documents import package_json, package_pdf
from .forms import posted_bool, posted_count, posted_date, split_references
from .handling import HandlingRefused, refusals
from .links import acknowledgement_token
from .models import DisseminationStatus, HandlingCode, IntelligenceAssessment, OutcomeKind, SourceEvaluation


def _errors_of(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(m for e in errs for m in e.messages) for field, errs in exc.error_dict.items()}
    return {"__all__": " ".join(exc.messages)}


@require_capability(Capability.PREPARE_DISSEMINATION)
def list(request):
    packages = selectors.staff_packages(user=request.user)
    sections = [
        ("Drafts", packages.filter(status=DisseminationStatus.DRAFT)),
        ("Waiting for approval to send", packages.filter(status=DisseminationStatus.APPROVED)),
        ("Sent, waiting for acknowledgement", packages.filter(status=DisseminationStatus.SENT).order_by("sent_at")),
        ("Acknowledged", packages.filter(status=DisseminationStatus.ACKNOWLEDGED).order_by("-acknowledged_at")[:50]),
    ]
    return render(
        request,
        "dissemination/list.html",
        {
            "nav": "dissemination",
            "overdue": selectors.overdue_unacknowledged(user=request.user),
            "sections": sections,
        },
    )


def _recipients():
    return Recipient.objects.filter(is_active=True).order_by("kind", "name")


@require_capability(Capability.PREPARE_DISSEMINATION)
def new(request):
    from safeguard.cases.models import Case

    errors, posted = {}, request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        recipient = Recipient.objects.filter(pk=posted.get("recipient") or 0, is_active=True).first()
        if recipient is None:
            errors["recipient"] = "Choose who the package is for (you can change it on the routing step)."
        case = None
        if case_ref := posted.get("case", "").strip():
            case = Case.objects.filter(reference__iexact=case_ref).first()
            if case is None:
                errors["case"] = f"There is no case {case_ref}. Check the reference or leave it blank."
        report_ids, unknown = [], []
        for raw in split_references(posted.get("reports", "")):
            report = Report.objects.filter(reference=normalise_reference(raw)).first()
            (report_ids.append(report.pk) if report else unknown.append(raw))
        if unknown:
            errors["reports"] = f"No report with the reference {', '.join(unknown)}. Check each one."
        if not errors:
            package = services.create_draft_dissemination(
                actor=request.user,
                recipient=recipient,
                case=case,
                report_ids=report_ids,
                summary=posted.get("summary", "").strip(),
            )
            messages.success(request, f"Draft package {package.reference} started.")
            return redirect("dissemination:detail", package.reference)
    return render(
        request,
        "dissemination/new.html",
        {"nav": "dissemination", "errors": errors, "posted": posted, "recipients": _recipients()},
        status=400 if errors else 200,
    )


def _detail_context(request, package, *, errors=None, posted=None, form=None):
    suggestion = services.suggest_for_package(package) if package.status == DisseminationStatus.DRAFT else None
    may_approve = has_capability(request.user, Capability.APPROVE_DISSEMINATION)
    link = None
    if package.status == DisseminationStatus.SENT and package.recipient.kind == RecipientKind.INTERNATIONAL:
        link = request.build_absolute_uri(
            reverse("dissemination_public:acknowledge", args=[acknowledgement_token(package)])
        )
    return {
        "nav": "dissemination",
        "package": package,
        "items": package.items.all(),
        "outcomes": package.outcomes.all(),
        "refusals": refusals(package)
        if package.status in (DisseminationStatus.DRAFT, DisseminationStatus.APPROVED)
        else [],
        "suggestion": suggestion,
        "recipients": _recipients(),
        "may_approve": may_approve,
        "own_package": package.prepared_by_id == request.user.pk,
        "acknowledgement_link": link,
        "errors": errors or {},
        "form": form,
        "posted": posted or {},
        "source_evaluations": SourceEvaluation.choices,
        "assessments": IntelligenceAssessment.choices,
        "handling_codes": HandlingCode.choices,
        "outcome_kinds": OutcomeKind.choices,
    }


def _render_detail(request, package, *, errors=None, posted=None, form=None, status=200):
    return render(
        request,
        "dissemination/detail.html",
        _detail_context(request, package, errors=errors, posted=posted, form=form),
        status=status,
    )


@require_capability(Capability.PREPARE_DISSEMINATION)
def detail(request, reference):
    package = selectors.staff_package(user=request.user, reference=reference)
    return _render_detail(request, package)


def _act(request, reference, form: str, action, success: str):
    """Run one service call for a POSTed form; on bad input show the page again with the errors and the input."""
    package = selectors.staff_package(user=request.user, reference=reference, audit=False)
    try:
        with transaction.atomic():
            action(package)
    except ValidationError as exc:
        return _render_detail(request, package, errors=_errors_of(exc), posted=request.POST, form=form, status=400)
    except HandlingRefused as exc:
        errors = {"__all__": "This package cannot be released: " + "; ".join(str(r) for r in exc.refusals)}
        return _render_detail(request, package, errors=errors, posted=request.POST, form=form, status=400)
    except PermissionDenied as exc:
        return _render_detail(request, package, errors={"__all__": str(exc)}, form=form, status=403)
    messages.success(request, success)
    return redirect("dissemination:detail", package.reference)


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def edit_text(request, reference):
    data = request.POST
    return _act(
        request,
        reference,
        "text",
        lambda p: services.update_package(
            actor=request.user,
            package=p,
            summary=data.get("summary", ""),
            risk_assessment=data.get("risk_assessment", ""),
            actions_requested=data.get("actions_requested", ""),
            include_evidence_files=posted_bool(data, "include_evidence_files"),
        ),
        "Package text saved.",
    )


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def add_item(request, reference):
    data = request.POST
    return _act(
        request,
        reference,
        "item",
        lambda p: services.add_item(
            actor=request.user,
            package=p,
            original_text=data.get("original_text", ""),
            source_evaluation=data.get("source_evaluation", ""),
            intelligence_assessment=data.get("intelligence_assessment", ""),
            handling_code=data.get("handling_code", ""),
            handling_conditions=data.get("handling_conditions", ""),
            no_overseas_sharing=posted_bool(data, "no_overseas_sharing"),
            uk_territorial_only=posted_bool(data, "uk_territorial_only"),
            no_evidence_files=posted_bool(data, "no_evidence_files"),
        ),
        "Intelligence item added.",
    )


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def sanitise_item(request, reference, item_id):
    def action(package):
        item = get_object_or_404(package.items, pk=item_id)
        services.sanitise_item(actor=request.user, item=item, sanitised_text=request.POST.get("sanitised_text", ""))

    return _act(request, reference, f"sanitise-{item_id}", action, f"Sanitised text saved for item {item_id}.")


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def remove_item(request, reference, item_id):
    def action(package):
        services.remove_item(actor=request.user, item=get_object_or_404(package.items, pk=item_id))

    return _act(request, reference, "items", action, "Intelligence item removed.")


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def remove_identifier(request, reference, index):
    return _act(
        request,
        reference,
        "identifiers",
        lambda p: services.remove_identifier(actor=request.user, package=p, index=index),
        "Identifier left out of the package.",
    )


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def routing(request, reference):
    data = request.POST

    def action(package):
        if data.get("action") == "postcode":
            services.set_subject_postcode(actor=request.user, package=package, postcode=data.get("postcode", ""))
            return
        recipient = Recipient.objects.filter(pk=data.get("recipient") or 0, is_active=True).first()
        if recipient is None:
            raise ValidationError({"recipient": "Choose a recipient from the directory."})
        services.confirm_routing(
            actor=request.user, package=package, recipient=recipient, reason=data.get("reason", "")
        )

    return _act(request, reference, "routing", action, "Routing saved.")


@require_POST
@require_capability(Capability.APPROVE_DISSEMINATION)
def approve(request, reference):
    return _act(
        request,
        reference,
        "approve",
        lambda p: services.approve(actor=request.user, package=p),
        "Package approved. It can now be sent.",
    )


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def send(request, reference):
    return _act(
        request,
        reference,
        "send",
        lambda p: services.send(actor=request.user, package=p),
        "Package sent. The recipient has been given a deadline to acknowledge it.",
    )


@require_POST
@require_capability(Capability.PREPARE_DISSEMINATION)
def add_outcome(request, reference):
    data = request.POST
    occurred_on, date_error = posted_date(data, "occurred_on")
    count, count_error = posted_count(data, "count")

    def action(package):
        try:
            services.record_outcome(
                actor=request.user,
                package=package,
                kind=data.get("kind", ""),
                occurred_on=occurred_on,
                count=count,
                reason=data.get("reason", ""),
                notes=data.get("notes", ""),
            )
        except ValidationError as exc:
            errors = _errors_of(exc)
        else:
            errors = {}
        if date_error:
            errors["occurred_on"] = date_error
        if count_error:
            errors["count"] = count_error
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)

    return _act(request, reference, "outcome", action, "Outcome recorded.")


def _download(request, reference, kind):
    package = selectors.staff_package(user=request.user, reference=reference, audit=False)
    record(action=Action.CONSULTATION, actor=Actor.of(request.user), obj=package, detail={"download": kind})
    return _file_response(package, kind)


def _file_response(package, kind):
    if kind == "pdf":
        response = HttpResponse(package_pdf(package), content_type="application/pdf")
    else:
        response = HttpResponse(package_json(package), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{package.reference}.{kind}"'
    return response


@require_capability(Capability.PREPARE_DISSEMINATION)
def download_pdf(request, reference):
    return _download(request, reference, "pdf")


@require_capability(Capability.PREPARE_DISSEMINATION)
def download_json(request, reference):
    return _download(request, reference, "json")
