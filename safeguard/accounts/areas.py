"""The staff areas a role can use, and what each capability means in plain words.

One list feeds the staff navigation (staff_base.html, via `{% staff_areas %}`) and the 403 page, which
tells a person what their role can use instead. Which areas a role sees follows from roles.py alone.
"""

from dataclasses import dataclass

from .models import Role
from .roles import Capability, capabilities_of


@dataclass(frozen=True)
class Area:
    key: str  # the `nav` value a view passes to mark its menu item as the current page
    label: str
    url_name: str
    capability: Capability


# In the order the navigation shows them.
STAFF_AREAS: tuple[Area, ...] = (
    Area("queue", "Report queue", "staff:queue", Capability.VIEW_REPORT_QUEUE),
    Area("search", "Search", "staff:search", Capability.SEARCH),
    Area("cases", "Cases", "cases:list", Capability.VIEW_CASES),
    Area("dissemination", "Disseminations", "dissemination:list", Capability.PREPARE_DISSEMINATION),
    Area("referrals", "Bulk referrals", "referrals:list", Capability.IMPORT_REFERRALS),
    Area("insight", "Threat assessment", "insight:dashboard", Capability.VIEW_INSIGHT),
    Area("force", "Force portal", "force:home", Capability.FORCE_PORTAL),
    Area("recipients", "Recipients", "routing:recipients", Capability.MANAGE_RECIPIENTS),
    Area("retention", "Retention", "retention:list", Capability.REVIEW_RETENTION),
    Area("exposure", "Evidence exposure", "evidence:exposure", Capability.VIEW_STAFF_EXPOSURE),
    Area("self_reported", "Self-reported hashes", "evidence:self_reported", Capability.REVIEW_SELF_REPORTED),
    Area("wanted", "Most Wanted", "wanted_staff:list", Capability.MANAGE_WANTED),
    Area("audit", "Audit log", "staff:audit_log", Capability.VIEW_AUDIT_LOG),
    Area("users", "Staff accounts", "accounts:users", Capability.MANAGE_USERS),
    Area("locked", "Locked sign-ins", "accounts:locked", Capability.UNLOCK_ACCOUNTS),
    Area("education", "Education", "education:dashboard", Capability.VIEW_EDUCATION),
)


def areas_for(user) -> list[Area]:
    """The areas this person's role can open, in navigation order (none for a signed-out visitor)."""
    held = capabilities_of(user)
    return [area for area in STAFF_AREAS if area.capability in held]


# What the 403 page says a role "does not include": a noun phrase that reads after "does not include".
CAPABILITY_WORDS: dict[Capability, str] = {
    Capability.VIEW_REPORT_QUEUE: "the report queue",
    Capability.VIEW_REPORT: "reading reports",
    Capability.CHANGE_REPORT: "changing reports",
    Capability.ASSIGN_REPORT_TO_SELF: "taking reports to work on",
    Capability.ASSIGN_REPORT: "assigning reports to other people",
    Capability.MANAGE_USERS: "managing staff accounts",
    Capability.UNLOCK_ACCOUNTS: "unlocking sign-in lockouts",
    Capability.VIEW_AUDIT_LOG: "the audit log",
    Capability.SEARCH: "searching reports, subjects and identifiers",
    Capability.MERGE_SUBJECTS: "merging subjects",
    Capability.EDIT_SCORING_MODEL: "changing the triage scoring model",
    Capability.MANAGE_WANTED: "Most Wanted records",
    Capability.APPROVE_WANTED: "approving Most Wanted records for publication",
    Capability.VIEW_EDUCATION: "the education dashboard",
    Capability.MANAGE_EDUCATION: "running the education programme",
    Capability.VIEW_CASES: "cases",
    Capability.MANAGE_CASES: "working on cases",
    Capability.PREPARE_DISSEMINATION: "preparing disseminations",
    Capability.APPROVE_DISSEMINATION: "approving disseminations",
    Capability.MANAGE_RECIPIENTS: "the recipient directory",
    Capability.FORCE_PORTAL: "the police force portal",
    Capability.IMPORT_REFERRALS: "bulk referrals",
    Capability.ALLOCATE_REFERRALS: "allocating bulk referrals",
    Capability.VIEW_INSIGHT: "the threat assessment",
    Capability.PUBLISH_REVIEW: "publishing the annual review and threat assessment",
    Capability.REVIEW_RETENTION: "retention reviews",
    Capability.VIEW_STAFF_EXPOSURE: "staff evidence exposure figures",
    Capability.ASSESS_URLS: "assessing reported web addresses for takedown",
    Capability.REVIEW_SELF_REPORTED: "reviewing the self-reported hash list",
}


def capability_words(capability: Capability | str) -> str:
    return CAPABILITY_WORDS[Capability(capability)]


def role_label(user) -> str:
    """The role's name as people read it ("Analyst"), never its stored value; "" for a signed-out visitor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    role = getattr(user, "role", "")
    return Role(role).label if role in Role.values else "not a current role"
