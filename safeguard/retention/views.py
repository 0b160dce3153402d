"""Staff pages for review, retention and disposal (supervisors: Capability.REVIEW_RETENTION)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from safeguard.accounts.roles import Capability, require_capability
from safeguard.audit.services import Action, Actor, record

from . import selectors, services
from .forms import DecisionForm, ScheduleForm
from .kinds import KINDS
from .models import RecordType, RetentionSchedule


@require_capability(Capability.REVIEW_RETENTION)
def list(request):
    record_type = request.GET.get("type") or None
    if record_type not in (None, *RecordType.values):
        record_type = None
    due = selectors.due_records(user=request.user, record_type=record_type)
    context = {
        "nav": "retention",
        "due": due,
        "record_type": record_type,
        "record_type_label": RecordType(record_type).label if record_type else "",
        "record_types": RecordType.choices,
        "schedules": selectors.schedules(user=request.user),
        "recent": selectors.recent_decisions(user=request.user),
    }
    return render(request, "retention/list.html", context)


@require_capability(Capability.REVIEW_RETENTION)
def review(request, record_type: str, object_id: int):
    try:
        kind = KINDS[RecordType(record_type)]
    except ValueError:
        raise Http404("No such kind of record") from None
    obj = kind.model().objects.filter(pk=object_id).first()
    if obj is None:
        raise Http404("No such record (it may have been disposed of already)")
    form = DecisionForm(request.POST or None, initial={"retain_days": _schedule(kind).retain_for_days})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.record_decision(
                actor=request.user,
                record_type=kind.record_type,
                object_id=str(obj.pk),
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                retain_days=form.cleaned_data["retain_days"],
            )
        except services.RetentionError as error:
            form.add_error(None, str(error))
        else:
            verb = "disposed of" if decision.decision == "dispose" else "retained"
            messages.success(request, f"{decision.label} {verb}.")
            return redirect("retention:list")
    else:
        # The review page shows when the record was made and its decisions: a consultation of it.
        record(action=Action.CONSULTATION, actor=Actor.of(request.user), obj=obj, detail={"retention_review": True})
    context = {
        "nav": "retention",
        "kind": kind,
        "obj": obj,
        "label": kind.label(obj),
        "made_at": kind.made_at(obj),
        "due_on": selectors.due_on(kind, obj),
        "blocker": kind.blocker(obj),
        "history": selectors.decisions_for(user=request.user, record_type=kind.record_type, object_id=obj.pk),
        "form": form,
    }
    return render(request, "retention/review.html", context)


@require_capability(Capability.REVIEW_RETENTION)
def schedule(request, record_type: str):
    current = RetentionSchedule.objects.filter(record_type=record_type).first()
    if current is None:
        raise Http404("No such schedule")
    initial = {
        "review_after_days": current.review_after_days,
        "retain_for_days": current.retain_for_days,
        "basis": current.basis,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_schedule(actor=request.user, record_type=record_type, **form.cleaned_data)
        except services.RetentionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Schedule for {current.get_record_type_display().lower()}s saved.")
            return redirect("retention:list")
    return render(request, "retention/schedule.html", {"nav": "retention", "schedule": current, "form": form})


def _schedule(kind):
    return RetentionSchedule.objects.get(record_type=kind.record_type)
