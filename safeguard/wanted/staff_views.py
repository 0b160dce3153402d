"""Staff pages for Most Wanted records. Services check capabilities again; the two-person rule lives there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safeguard.accounts.roles import Capability, has_capability, require_capability

from . import selectors, services
from .forms import WantedPersonForm
from .models import WantedStatus


def _person_or_404(request: HttpRequest, pk: int):
    found = selectors.staff_person(request.user, pk)
    if found is None:
        raise Http404("No such record")
    return found


@require_capability(Capability.MANAGE_WANTED)
def wanted_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in WantedStatus.values:
        status = ""
    return render(
        request,
        "wanted/staff/list.html",
        {
            "people": selectors.staff_people(request.user, status=status),
            "status": status,
            "statuses": WantedStatus.choices,
            "nav": "wanted",
        },
    )


@require_capability(Capability.MANAGE_WANTED)
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = WantedPersonForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.create_wanted_person(user=request.user, fields=form.cleaned_data)
        messages.success(request, "Draft saved. Send it for approval when it is ready.")
        return redirect("wanted_staff:detail", pk=person.pk)
    return render(request, "wanted/staff/form.html", {"form": form, "nav": "wanted"})


@require_capability(Capability.MANAGE_WANTED)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    form = WantedPersonForm(data=request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_wanted_person(user=request.user, person=person, fields=form.cleaned_data)
        except services.WantedError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Changes saved. The record is a draft again until it is approved.")
            return redirect("wanted_staff:detail", pk=pk)
    return render(request, "wanted/staff/form.html", {"form": form, "person": person, "nav": "wanted"})


@require_capability(Capability.MANAGE_WANTED)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    may_approve = has_capability(request.user, Capability.APPROVE_WANTED)
    second_person = request.user.pk not in {person.created_by_id, person.submitted_by_id}
    return render(
        request,
        "wanted/staff/detail.html",
        {
            "person": person,
            "may_approve": may_approve and second_person and person.status == WantedStatus.AWAITING_APPROVAL,
            "own_record": not second_person,
            "sightings": person.sightings.select_related("report").order_by("-created_at")[:50],
            "nav": "wanted",
        },
    )


ACTIONS = {
    "submit": lambda user, person, note: services.submit_for_approval(user=user, person=person),
    "approve": lambda user, person, note: services.approve_and_publish(user=user, person=person),
    "return": lambda user, person, note: services.return_to_draft(user=user, person=person, reason=note),
    "located": lambda user, person, note: services.change_public_status(
        user=user, person=person, to=WantedStatus.LOCATED, note=note
    ),
    "arrested": lambda user, person, note: services.change_public_status(
        user=user, person=person, to=WantedStatus.ARRESTED, note=note
    ),
    "withdrawn": lambda user, person, note: services.change_public_status(
        user=user, person=person, to=WantedStatus.WITHDRAWN, note=note
    ),
}

DONE = {
    "submit": "Sent for approval. Someone else must approve it before it is published.",
    "approve": "Approved and published. Email alerts are being sent.",
    "return": "Returned to draft.",
    "located": "Marked as located. Their details have been removed from the public pages.",
    "arrested": "Marked as arrested. Their details have been removed from the public pages.",
    "withdrawn": "Withdrawn. The record is no longer on the public website.",
}


@require_capability(Capability.MANAGE_WANTED)
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, "Choose an action.")
        return redirect("wanted_staff:detail", pk=pk)
    try:
        ACTIONS[action](request.user, person, request.POST.get("note", ""))
    except PermissionDenied:
        raise
    except services.WantedError as error:
        person.refresh_from_db()
        return render(
            request,
            "wanted/staff/detail.html",
            {"person": person, "action_error": str(error), "sightings": [], "nav": "wanted"},
            status=400,
        )
    messages.success(request, DONE[action])
    return redirect("wanted_staff:detail", pk=pk)


@require_capability(Capability.MANAGE_WANTED)
def measures(request: HttpRequest) -> HttpResponse:
    return render(request, "wanted/staff/measures.html", {"m": selectors.measures(), "nav": "wanted"})
