"""Who may do what: the one place where staff roles are turned into permissions.

Views use `require_capability`; selectors and services call `check_capability` as well, so a
forgotten decorator never opens data up. Add a capability here, never a role check elsewhere.
"""

import functools
from enum import StrEnum

from django.core.exceptions import PermissionDenied

from .models import Role


class Capability(StrEnum):
    VIEW_REPORT_QUEUE = "view_report_queue"
    VIEW_REPORT = "view_report"
    CHANGE_REPORT = "change_report"  # change status, add a note
    ASSIGN_REPORT_TO_SELF = "assign_report_to_self"
    ASSIGN_REPORT = "assign_report"  # to anyone: a supervisor's job
    MANAGE_USERS = "manage_users"
    UNLOCK_ACCOUNTS = "unlock_accounts"  # see sign-in lockouts and clear them (ADR 0103)
    VIEW_AUDIT_LOG = "view_audit_log"
    SEARCH = "search"  # staff search of reports, subjects and identifiers (every search is audited)
    MERGE_SUBJECTS = "merge_subjects"  # merge subjects on a suggestion, or undo a merge
    EDIT_SCORING_MODEL = "edit_scoring_model"  # publish a new version of the triage scoring weights
    MANAGE_WANTED = "manage_wanted"  # write and change Most Wanted records
    APPROVE_WANTED = "approve_wanted"  # the second person who approves publication
    VIEW_EDUCATION = "view_education"  # prevention work: reach dashboard, sessions, survey results (all anonymous)
    MANAGE_EDUCATION = "manage_education"  # targets, session imports, surveys, courses and their registers
    # Investigations and dissemination (issue 6)
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"  # open cases, lines of enquiry, notes, operations and deployments
    PREPARE_DISSEMINATION = "prepare_dissemination"  # grade intelligence, sanitise, build a package
    APPROVE_DISSEMINATION = "approve_dissemination"  # release a package to its recipient
    MANAGE_RECIPIENTS = "manage_recipients"  # the recipient directory and postcode lookup imports
    FORCE_PORTAL = "force_portal"  # a force officer: own force's packages, acknowledge, record outcomes
    # Bulk lines of enquiry (issue 7)
    IMPORT_REFERRALS = "import_referrals"
    ALLOCATE_REFERRALS = "allocate_referrals"  # review an import summary, allocate, bulk-disseminate
    # Strategic threat assessment (issue 10): aggregate figures with small cells suppressed
    VIEW_INSIGHT = "view_insight"
    PUBLISH_REVIEW = "publish_review"  # generate the annual review and threat assessment documents
    # Retention (issue 11)
    REVIEW_RETENTION = "review_retention"  # record retain/dispose decisions; disposal itself
    # Staff welfare: each person's daily exposure to evidence images (images viewed, reveals), for supervisors.
    VIEW_STAFF_EXPOSURE = "view_staff_exposure"
    # Notice and takedown (issue 23): assess reported web addresses, add ones found by staff.
    ASSESS_URLS = "assess_urls"
    # Remove it (issue 22): see the self-reported hash list with partners' matches, hold a hash back, release it.
    REVIEW_SELF_REPORTED = "review_self_reported"


_CASEWORK = frozenset(
    {
        Capability.VIEW_REPORT_QUEUE,
        Capability.VIEW_REPORT,
        Capability.CHANGE_REPORT,
        Capability.ASSIGN_REPORT_TO_SELF,
        Capability.SEARCH,
    }
)

_INVESTIGATION = frozenset(
    {
        Capability.VIEW_CASES,
        Capability.MANAGE_CASES,
        Capability.PREPARE_DISSEMINATION,
        Capability.IMPORT_REFERRALS,
        Capability.VIEW_INSIGHT,
        Capability.ASSESS_URLS,
    }
)

# Administrators run accounts and read the audit log; they do not read reports (least privilege).
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ANALYST: _CASEWORK | _INVESTIGATION,
    Role.INVESTIGATOR: _CASEWORK | _INVESTIGATION | {Capability.MANAGE_WANTED},
    Role.SUPERVISOR: _CASEWORK
    | _INVESTIGATION
    | {Capability.ASSIGN_REPORT, Capability.VIEW_AUDIT_LOG, Capability.MANAGE_WANTED, Capability.APPROVE_WANTED}
    | {Capability.MERGE_SUBJECTS, Capability.EDIT_SCORING_MODEL}
    | {Capability.APPROVE_DISSEMINATION, Capability.MANAGE_RECIPIENTS, Capability.ALLOCATE_REFERRALS}
    | {Capability.PUBLISH_REVIEW, Capability.REVIEW_RETENTION, Capability.VIEW_STAFF_EXPOSURE}
    | {Capability.UNLOCK_ACCOUNTS, Capability.REVIEW_SELF_REPORTED},
    Role.ADMINISTRATOR: frozenset(
        {Capability.MANAGE_USERS, Capability.UNLOCK_ACCOUNTS, Capability.VIEW_AUDIT_LOG, Capability.MANAGE_RECIPIENTS}
    ),
    # Outside the centre: nothing of the centre's own data, only their force's packages (scoped in selectors).
    Role.FORCE_OFFICER: frozenset({Capability.FORCE_PORTAL}),
    # Education staff run the prevention programme and nothing else: no reports, cases, audit log or accounts.
    Role.EDUCATION_OFFICER: frozenset({Capability.VIEW_EDUCATION, Capability.MANAGE_EDUCATION}),
}

# Prevention work (docs/adr/0050): its figures are aggregate and anonymous, so every role may see them; running
# the programme is for supervisors, administrators and education officers. Staff who are also trainers record
# their own sessions.
ROLE_CAPABILITIES = {
    role: capabilities
    | {Capability.VIEW_EDUCATION}
    | ({Capability.MANAGE_EDUCATION} if role in (Role.SUPERVISOR, Role.ADMINISTRATOR) else set())
    for role, capabilities in ROLE_CAPABILITIES.items()
    if role != Role.FORCE_OFFICER
} | {Role.FORCE_OFFICER: ROLE_CAPABILITIES[Role.FORCE_OFFICER]}


# The two-person rule (ADR 0102): an account that can read reports is made, raised or reset only when a
# second person who already holds that role (or a supervisor) approves. Computed, so a role given report
# access later falls under the rule without anyone remembering to list it.
REPORT_READING_ROLES: frozenset[str] = frozenset(
    role for role, capabilities in ROLE_CAPABILITIES.items() if Capability.VIEW_REPORT in capabilities
)


def needs_second_person(role: str) -> bool:
    """True if giving an account this role (or a new secret for it) needs a second person's approval."""
    return role in REPORT_READING_ROLES


def role_change_needs_second_person(old_role: str, new_role: str) -> bool:
    """Raising an account to a role that reads reports needs a second person; taking access away does not."""
    gained = ROLE_CAPABILITIES.get(new_role, frozenset()) - ROLE_CAPABILITIES.get(old_role, frozenset())
    return needs_second_person(new_role) and bool(gained)


def may_vouch_for(user, role: str) -> bool:
    """Whether this person may be the second person for an account of `role`: they hold it, or supervise."""
    if not needs_second_person(role) or not has_capability(user, Capability.VIEW_REPORT):
        return False
    return user.role == role or user.role == Role.SUPERVISOR


def capabilities_of(user) -> frozenset[Capability]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def has_capability(user, capability: Capability) -> bool:
    return Capability(capability) in capabilities_of(user)


class CapabilityDenied(PermissionDenied):
    """A 403 because the role lacks one capability: the 403 page names it in plain words (accounts.areas)."""

    def __init__(self, capability: Capability):
        self.capability = Capability(capability)
        super().__init__(f"Your role does not allow this ({self.capability}).")


def check_capability(user, capability: Capability) -> None:
    """Raise CapabilityDenied, a PermissionDenied (a 403 in views), unless the user holds the capability."""
    if not has_capability(user, capability):
        raise CapabilityDenied(capability)


def require_capability(capability: Capability):
    """View decorator. Two-factor sign-in is enforced before this by StaffTwoFactorMiddleware."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            check_capability(request.user, capability)
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def staff_home_url_name(user) -> str:
    """Where a member of staff lands after signing in: the first page their role can use."""
    if has_capability(user, Capability.VIEW_REPORT_QUEUE):
        return "staff:queue"
    if has_capability(user, Capability.MANAGE_USERS):
        return "accounts:users"
    if has_capability(user, Capability.VIEW_AUDIT_LOG):
        return "staff:audit_log"
    if has_capability(user, Capability.FORCE_PORTAL):
        return "force:home"  # provided by the dissemination app's force portal
    if has_capability(user, Capability.MANAGE_EDUCATION):
        return "education:dashboard"  # education staff
    # Answers 403 (the queue sends people without it to this home, so nothing else may be returned here):
    # every role has one of the capabilities above, so only an unknown role or an inactive account gets here.
    return "staff:queue"
