"""The two-person rule for accounts that read reports (ADR 0102).

An administrator cannot create an account with, raise an account to, or reset an account of a role that reads
reports (roles.REPORT_READING_ROLES, computed from roles.py). They make an AccountRequest instead. A second
person who holds that role, or a supervisor, and is neither the requester nor the account, approves or declines
it. Only on approval is the change made, and the new one-time password is shown to the approver, who gives it to
the person: the administrator never holds a report-reading account's secret. A raise starts the person's
sign-in again as well (new one-time password to the approver, new authenticator), so an account an
administrator made for a role without report access, and could have signed in to, cannot be raised into one.
Every step is audited.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.audit.services import Action, Actor, record

from . import services
from .models import AccountRequest, Role, User
from .roles import (
    Capability,
    check_capability,
    has_capability,
    may_vouch_for,
    needs_second_person,
    role_change_needs_second_person,
)

Kind, Outcome = AccountRequest.Kind, AccountRequest.Outcome


@dataclass(frozen=True)
class Decision:
    """What approving or declining did; `one_time_password` is for the approver's eyes only, shown once."""

    request: AccountRequest
    user: User | None = None
    one_time_password: str = ""


def _check_requester(actor: Actor) -> None:
    if actor.user is None:
        raise PermissionDenied("A request needs a person to make it")
    check_capability(actor.user, Capability.MANAGE_USERS)


def _record(actor: Actor, account_request: AccountRequest, event: str, **detail) -> None:
    detail = {
        "event": event,
        "kind": account_request.kind,
        "role": account_request.role,
        "account": account_request.account_name,
        **detail,
    }
    record(action=Action.ALTERATION, actor=actor, obj=account_request, detail=detail)


def _pending(**filters):
    return AccountRequest.objects.filter(outcome=Outcome.PENDING, **filters)


def request_account(
    *, actor: Actor, username: str, role: str, first_name: str = "", last_name: str = "", email: str = ""
) -> AccountRequest:
    """Ask for a new account with a role that reads reports. Nothing exists until a second person approves."""
    _check_requester(actor)
    username = username.strip()
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(Role.values)}"})
    if not needs_second_person(role):
        raise ValueError(f"{role} needs no second person: create the account directly")
    if not username:
        raise ValidationError({"username": "Enter a username"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"There is already an account called {username}"})
    if _pending(kind=Kind.CREATE, username__iexact=username).exists():
        raise ValidationError({"username": f"An account called {username} is already waiting for approval"})
    with transaction.atomic():
        account_request = AccountRequest.objects.create(
            kind=Kind.CREATE,
            role=role,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            requested_by=actor.user,
        )
        _record(actor, account_request, "account_request_made")
    return account_request


def request_role_change(*, actor: Actor, user: User, role: str) -> AccountRequest:
    """Ask to raise an account to a role that reads reports (the change happens on approval)."""
    _check_requester(actor)
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(Role.values)}"})
    if user.pk == actor.user.pk:
        raise PermissionDenied("Another administrator must change your own role")
    if not role_change_needs_second_person(user.role, role):
        raise ValueError("This change needs no second person: make it directly")
    if _pending(target=user, kind__in=[Kind.RAISE, Kind.RESET]).exists():
        raise ValidationError({"role": f"A change to {user.username}'s account is already waiting for approval"})
    with transaction.atomic():
        account_request = AccountRequest.objects.create(
            kind=Kind.RAISE, target=user, role=role, requested_by=actor.user
        )
        _record(actor, account_request, "account_request_made", from_role=user.role)
    return account_request


def request_reset(*, actor: Actor, user: User) -> AccountRequest:
    """Ask to reset the sign-in of an account that reads reports (the new secret goes to the approver)."""
    _check_requester(actor)
    if not needs_second_person(user.role):
        raise ValueError(f"{user.role} needs no second person: reset it directly")
    existing = _pending(target=user, kind__in=[Kind.RAISE, Kind.RESET]).first()
    if existing is not None:
        return existing  # asking twice is the same request
    with transaction.atomic():
        account_request = AccountRequest.objects.create(
            kind=Kind.RESET, target=user, role=user.role, requested_by=actor.user
        )
        _record(actor, account_request, "account_request_made")
    return account_request


def change_role(*, actor: Actor, user: User, role: str, approval: AccountRequest | None = None) -> None:
    """Change an account's role. Raising it to a role that reads reports needs `approval` (an approved request)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role: {', '.join(Role.values)}"})
    if actor.user is not None:
        if approval is not None:
            if not approval.authorises(user=actor.user, kinds=(Kind.RAISE,), target=user) or approval.role != role:
                raise services.SecondPersonRequired("That request has not been approved by you")
        else:
            check_capability(actor.user, Capability.MANAGE_USERS)
            if user.pk == actor.user.pk:
                raise PermissionDenied("Another administrator must change your own role")
            if role_change_needs_second_person(user.role, role):
                raise services.SecondPersonRequired(f"Raising an account to {role} needs a second person to approve")
    old_role = user.role
    if old_role == role:
        return
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role"])
        detail = {"event": "role_changed", "from_role": old_role, "to_role": role}
        if approval is not None:
            detail |= {"account_request": approval.pk, "requested_by": approval.requested_by.username}
        record(action=Action.ALTERATION, actor=actor, obj=user, detail=detail)


# --- deciding ---------------------------------------------------------------------------------------------


def can_decide(user, account_request: AccountRequest) -> bool:
    """The second person: holds the role asked for (or supervises), and is neither the requester nor the account."""
    return (
        account_request.outcome == Outcome.PENDING
        and user is not None
        and getattr(user, "is_authenticated", False)
        and user.pk != account_request.requested_by_id
        and user.pk != account_request.target_id
        and may_vouch_for(user, account_request.role)
    )


def pending_for(user) -> list[AccountRequest]:
    """The requests waiting for this person's decision, oldest first."""
    if not has_capability(user, Capability.VIEW_REPORT):
        return []
    rows = _pending().select_related("target", "requested_by").order_by("requested_at", "pk")
    return [r for r in rows if can_decide(user, r)]


def pending_requests() -> list[AccountRequest]:
    """Every request still waiting (the administrators' list)."""
    return list(_pending().select_related("target", "requested_by").order_by("requested_at", "pk"))


def _decide(actor: Actor, account_request: AccountRequest, outcome: str) -> AccountRequest:
    locked = (
        AccountRequest.objects.select_for_update(of=("self",))
        .select_related("target", "requested_by")
        .get(pk=account_request.pk)
    )
    if actor.user is None or not can_decide(actor.user, locked):
        raise PermissionDenied("You cannot decide this request")
    locked.outcome, locked.decided_by, locked.decided_at = outcome, actor.user, timezone.now()
    locked.save(update_fields=["outcome", "decided_by", "decided_at"])
    return locked


def approve(*, actor: Actor, account_request: AccountRequest) -> Decision:
    """Approve and make the change. The one-time password in the answer is for the approver to hand over."""
    with transaction.atomic():
        approved = _decide(actor, account_request, Outcome.APPROVED)
        _record(actor, approved, "account_request_approved", requested_by=approved.requested_by.username)
        if approved.kind == Kind.CREATE:
            created = services.create_staff_user(
                actor=actor,
                username=approved.username,
                role=approved.role,
                email=approved.email,
                first_name=approved.first_name,
                last_name=approved.last_name,
                approval=approved,
            )
            approved.target = created.user
            approved.save(update_fields=["target"])
            return Decision(request=approved, user=created.user, one_time_password=created.temporary_password)
        person = approved.target
        if approved.kind == Kind.RAISE:
            change_role(actor=actor, user=person, role=approved.role, approval=approved)
        password = services.reset_sign_in(actor=actor, user=person, approval=approved)
        return Decision(request=approved, user=person, one_time_password=password)


def decline(*, actor: Actor, account_request: AccountRequest) -> Decision:
    with transaction.atomic():
        declined = _decide(actor, account_request, Outcome.DECLINED)
        _record(actor, declined, "account_request_declined", requested_by=declined.requested_by.username)
    return Decision(request=declined, user=declined.target)
