"""The receiving force's portal: a force officer's own force's packages, acknowledgement and outcomes.

Every lookup goes through selectors.force_package, which finds only packages sent to the officer's own force:
another force's package answers 404 on every URL here, whatever the reference.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguard.accounts.roles import Capability, require_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from . import selectors, services
from .forms import posted_count, posted_date
from .models import DisseminationStatus, OutcomeKind
from .views import _errors_of, _file_response


@require_capability(Capability.FORCE_PORTAL)
def home(request):
    if request.user.force_id is None:
        # Signed in but not yet linked to a force: say so plainly rather than a bare "forbidden".
        return render(request, "dissemination/force/not_linked.html", {"nav": "force"})
    packages = selectors.force_packages(user=request.user)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(request.user),
        obj=("routing.recipient", str(request.user.force_id)),
        detail={"view": "force portal list"},
    )
    return render(
        request,
        "dissemination/force/home.html",
        {
            "nav": "force",
            "force": request.user.force,
            "waiting": packages.filter(status=DisseminationStatus.SENT),
            "acknowledged": packages.filter(status=DisseminationStatus.ACKNOWLEDGED),
        },
    )


@require_capability(Capability.FORCE_PORTAL)
def detail(request, reference):
    package = selectors.force_package(user=request.user, reference=reference)
    return render(
        request,
        "dissemination/force/detail.html",
        {"nav": "force", "package": package, "items": package.items.all(), "outcomes": package.outcomes.all()},
    )


def _download(request, reference, kind):
    package = selectors.force_package(user=request.user, reference=reference, view=f"download {kind}")
    # The officer takes a copy out of the system: a disclosure to their force.
    record(
        action=Action.DISCLOSURE,
        actor=Actor.of(request.user),
        obj=package,
        recipient=services.recipient_label(package.recipient),
        detail={"download": kind},
    )
    return _file_response(package, kind)


@require_capability(Capability.FORCE_PORTAL)
def download_pdf(request, reference):
    return _download(request, reference, "pdf")


@require_capability(Capability.FORCE_PORTAL)
def download_json(request, reference):
    return _download(request, reference, "json")


@require_POST
@require_capability(Capability.FORCE_PORTAL)
def acknowledge(request, reference):
    package = selectors.force_package(user=request.user, reference=reference, view="acknowledge")
    services.acknowledge(package=package, user=request.user)
    messages.success(request, f"Receipt of {package.reference} acknowledged.")
    return redirect("force:detail", package.reference)


@require_capability(Capability.FORCE_PORTAL)
def outcome(request, reference):
    package = selectors.force_package(user=request.user, reference=reference, view="outcome form")
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        occurred_on, date_error = posted_date(posted, "occurred_on")
        count, count_error = posted_count(posted, "count")
        if not date_error and not count_error:
            try:
                services.record_outcome(
                    actor=request.user,
                    package=package,
                    kind=posted.get("kind", ""),
                    occurred_on=occurred_on,
                    count=count,
                    reason=posted.get("reason", ""),
                    notes=posted.get("notes", ""),
                )
            except ValidationError as exc:
                errors = _errors_of(exc)
            else:
                messages.success(request, "Outcome recorded. Thank you.")
                return redirect("force:detail", package.reference)
        else:
            if posted.get("kind") not in OutcomeKind.values:
                errors["kind"] = "Choose what happened."
            if date_error:
                errors["occurred_on"] = date_error
            if count_error:
                errors["count"] = count_error
    return render(
        request,
        "dissemination/force/outcome.html",
        {"nav": "force", "package": package, "errors": errors, "posted": posted, "outcome_kinds": OutcomeKind.choices},
        status=400 if errors else 200,
    )
