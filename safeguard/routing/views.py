"""Staff pages of the routing app: the recipient directory (list, add, edit) and a suggestion tester."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from safeguard.accounts.roles import Capability, require_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from . import services
from .forms import RecipientForm, SuggestForm
from .models import PostcodeForceArea, PostcodeImport, Recipient, RecipientKind


@require_capability(Capability.MANAGE_RECIPIENTS)
@require_GET
def recipients(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in RecipientKind.values else ""
    listed = Recipient.objects.all()
    if kind:
        listed = listed.filter(kind=kind)
    suggest_form = SuggestForm(request.GET if "try" in request.GET else None)
    suggestion = None
    if suggest_form.is_bound and suggest_form.is_valid():
        suggestion = services.suggest_recipient(**suggest_form.cleaned_data)
    context = {
        "recipients": listed,
        "kind": kind,
        "kinds": RecipientKind.choices,
        "lookup_rows": PostcodeForceArea.objects.count(),
        "last_import": PostcodeImport.objects.first(),
        "suggest_form": suggest_form,
        "suggestion": suggestion,
        "nav": "recipients",
    }
    return render(request, "routing/recipients.html", context)


@require_capability(Capability.MANAGE_RECIPIENTS)
@require_http_methods(["GET", "POST"])
def recipient_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    recipient = None
    if code is not None:
        recipient = Recipient.objects.filter(code=code).first()
        if recipient is None:
            raise Http404("No such recipient")
    if request.method == "POST":
        form = RecipientForm(request.POST, recipient=recipient)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            new_code = fields.pop("code", "")
            try:
                saved = services.save_recipient(actor=request.user, recipient=recipient, code=new_code, **fields)
            except ValidationError as error:
                form.add_error(None, " ".join(error.messages))
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect("routing:recipients")
        status = 400
    else:
        initial = {"kind": RecipientKind.INTERNATIONAL, "is_active": True}
        if recipient is not None:
            initial = {name: getattr(recipient, name) for name in services.RECIPIENT_FIELDS}
        form, status = RecipientForm(initial=initial, recipient=recipient), 200
    decisions = []
    if recipient is not None:
        decisions = list(recipient.routing_decisions.select_related("suggested", "decided_by")[:20])
        if decisions:  # the reasons can say where a subject lives
            record(
                action=Action.CONSULTATION,
                actor=Actor.of(request.user),
                obj=recipient,
                detail={"routing_decisions": [d.pk for d in decisions]},
            )
    context = {"form": form, "recipient": recipient, "decisions": decisions, "nav": "recipients"}
    return render(request, "routing/recipient_form.html", context, status=status)
