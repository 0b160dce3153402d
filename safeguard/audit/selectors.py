"""Reading the audit log. Reading it is itself logged: the log holds who looked at what."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet

from safeguard.accounts.roles import Capability, check_capability

from .models import AuditEntry
from .services import Action, Actor, record


@dataclass(frozen=True)
class References:
    """How one app's objects are named by people: `find` turns a typed reference into an object id (or None),
    `label` turns object ids into references. Registered by the app that owns them (reporting registers reports),
    so the log can be searched and read by reference without audit importing the apps above it."""

    object_type: str  # e.g. "reporting.report"
    noun: str  # e.g. "Report"
    find: Callable[[str], str | None]
    label: Callable[[set[str]], dict[str, str]]


_REFERENCES: dict[str, References] = {}


def register_references(references: References) -> None:
    _REFERENCES[references.object_type] = references


def object_key_for_reference(reference: str) -> tuple[str, str] | None:
    """Staff think in references (SG-...); the log stores (object type, id)."""
    for references in _REFERENCES.values():
        object_id = references.find(reference)
        if object_id is not None:
            return references.object_type, object_id
    return None


def label_references(entries) -> None:
    """Give entries `reference_label` ("Report SG-...") where a registered app names the object, else ""."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.object_type in _REFERENCES:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    labels = {t: _REFERENCES[t].label(ids) for t, ids in wanted.items()}
    for entry in entries:
        found = labels.get(entry.object_type, {}).get(entry.object_id, "")
        entry.reference_label = f"{_REFERENCES[entry.object_type].noun} {found}" if found else ""


_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")  # a stored value such as "in_review" or "assigned_to"
_USER_FIELDS = {"assigned_to"}  # detail {"field": ..., "from": id, "to": id} names users by id for these


def _words(text: str) -> str:
    return text.replace("_", " ")


def _text(value) -> str:
    """A detail value as a person reads it: no Python reprs, codes as words."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, dict):
        # Sorted: PostgreSQL's jsonb keeps keys in its own order (shortest first), SQLite in the order written.
        return "; ".join(f"{_words(str(k))} {_text(v)}" for k, v in sorted(value.items())) or "none"
    text = str(value)
    return _words(text) if _CODE.match(text) else text


def _object_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return _words(object_type.rpartition(".")[2]).capitalize()


def describe_entries(entries) -> None:
    """Give each entry `object_label` and `detail_lines` ((label, text) pairs) for people to read.

    A detail is whatever the service that wrote it recorded (a dict of names, ids, lists, codes); the page shows
    words, user names for assignments and model names for object types, never a Python repr.
    """
    from safeguard.accounts.models import User

    user_ids = {
        value
        for e in entries
        if isinstance(e.detail, dict) and e.detail.get("field") in _USER_FIELDS
        for value in (e.detail.get("from"), e.detail.get("to"))
        if isinstance(value, int)
    }
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    for entry in entries:
        entry.object_label = _object_label(entry.object_type)
        detail = entry.detail if isinstance(entry.detail, dict) else {"detail": entry.detail}
        people = detail.get("field") in _USER_FIELDS
        lines = []
        for key, value in sorted(detail.items()):  # the same order on every database (see _text)
            if people and key in ("from", "to"):
                value = names.get(value, "nobody" if value is None else f"user {value}")
            lines.append((_words(str(key)).capitalize(), _text(value)))
        entry.detail_lines = lines


def consult_audit_log(*, user, object_type: str = "", object_id: str = "", action: str = "") -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by object and action; records this consultation."""
    check_capability(user, Capability.VIEW_AUDIT_LOG)
    entries = AuditEntry.objects.select_related("actor")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    record(
        action=Action.CONSULTATION,
        actor=Actor.of(user),
        obj=("audit.auditentry", "log"),
        detail={
            "filters": {
                k: v for k, v in {"object_type": object_type, "object_id": object_id, "action": action}.items() if v
            }
        },
    )
    return entries.order_by("-sequence")
