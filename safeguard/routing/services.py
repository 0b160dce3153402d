"""Routing: suggesting a recipient from a subject's location, keeping the analyst's decision, and the directory.

`suggest_recipient` is for one-off use (one query per clue); `RecipientSuggester` preloads the directory and the
whole postcode lookup (compactly, see _PostcodeTable) and caches IP answers, for bulk use (one per import run).
"""

import csv
import io
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from safeguard.accounts.roles import Capability, check_capability, has_capability
from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record

from .geoip import BadIPAddress, country_of_ip
from .models import PostcodeForceArea, PostcodeImport, Recipient, RecipientKind, RoutingDecision
from .postcodes import AREA_FORCES, normalise_postcode, postcode_area

_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class RecipientSuggestion:
    recipient: Recipient | None
    basis: str  # what the suggestion rests on, in words an analyst reads
    approximate: bool
    notes: tuple[str, ...] = field(default=())  # why earlier clues gave nothing, e.g. "postcode not recognised"


def _as_actor(actor) -> Actor:
    return actor if isinstance(actor, Actor) else Actor.of(actor)


def _country_code(country: str | None) -> str:
    code = (country or "").strip().upper()
    return "GB" if code == "UK" else code


_POSTCODE_CHARS = {ch: i + 1 for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def _postcode_key(postcode: str) -> int:
    """A normalised postcode as one int64 (base 37, zero-padded to 7 characters), for a sorted numpy array."""
    key = 0
    compact = postcode.replace(" ", "")
    for ch in compact:
        key = key * 37 + _POSTCODE_CHARS[ch]
    return key * 37 ** (7 - len(compact))


class _PostcodeTable:
    """The whole postcode lookup in memory as two numpy arrays (sorted keys, recipient index): about 10 bytes a
    postcode, so the full ONS file (~2.7 million) takes ~27 MB rather than the ~400 MB a dict of strings would,
    and a lookup is one binary search."""

    def __init__(self, keys, indexes, recipients: list[Recipient]):
        self.keys, self.indexes, self.recipients = keys, indexes, recipients

    @classmethod
    def load(cls, recipients, by_id: dict, by_pfa: dict) -> "_PostcodeTable":
        import numpy as np

        position = {r.pk: i for i, r in enumerate(recipients)}
        keys, indexes = array("q"), array("h")
        table = connection.ops.quote_name(PostcodeForceArea._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT postcode, recipient_id, pfa_code FROM {table}")  # noqa: S608
            while rows := cursor.fetchmany(20_000):
                for postcode, recipient_id, pfa_code in rows:
                    recipient = by_id.get(recipient_id) or by_pfa.get(pfa_code)
                    if recipient is not None and len(postcode) <= 8:
                        try:
                            keys.append(_postcode_key(postcode))
                        except KeyError:  # not a normalised postcode (the import only writes normalised ones)
                            continue
                        indexes.append(position[recipient.pk])
        keys_np = np.frombuffer(keys, dtype=np.int64) if keys else np.empty(0, dtype=np.int64)
        indexes_np = np.frombuffer(indexes, dtype=np.int16) if indexes else np.empty(0, dtype=np.int16)
        order = np.argsort(keys_np, kind="stable")
        return cls(keys_np[order], indexes_np[order], recipients)

    def get(self, postcode: str) -> Recipient | None:
        key = _postcode_key(postcode)
        at = int(self.keys.searchsorted(key))
        if at < len(self.keys) and int(self.keys[at]) == key:
            return self.recipients[int(self.indexes[at])]
        return None


class RecipientSuggester:
    """Suggests recipients without a query per call: build one, call `.suggest` as often as needed."""

    def __init__(self, *, preload_postcodes: bool = True) -> None:
        recipients = list(Recipient.objects.filter(is_active=True))
        self._by_id = {r.pk: r for r in recipients}
        self._by_code = {r.code: r for r in recipients}
        self._by_pfa = {r.pfa_code: r for r in recipients if r.pfa_code}
        self._by_country: dict[str, Recipient] = {}
        for r in sorted(recipients, key=lambda r: (not r.country_default, r.pk)):
            if r.kind != RecipientKind.UK_TERRITORIAL and (r.country_default or r.kind == RecipientKind.INTERNATIONAL):
                self._by_country.setdefault(r.country, r)
        # Country names as the directory spells them ("Interpol NCB - France"), so "France" works as well as "FR".
        self._country_names = {
            r.name.split(" - ", 1)[1].strip().lower(): r.country
            for r in recipients
            if r.kind == RecipientKind.INTERNATIONAL and r.name.startswith("Interpol NCB - ")
        }
        self._country_names.update({"united kingdom": "GB", "great britain": "GB", "uk": "GB"})
        self._postcodes: dict[str, Recipient | None] = {}  # answers from per-postcode queries (not preloaded)
        self._table: _PostcodeTable | None = None
        self._lookup_empty = not PostcodeForceArea.objects.exists()
        if preload_postcodes and not self._lookup_empty:
            self._table = _PostcodeTable.load(recipients, self._by_id, self._by_pfa)
        self._ip_countries: dict[str, str] = {}

    def _lookup_postcode(self, postcode: str) -> Recipient | None:
        if self._table is not None:
            return self._table.get(postcode)
        if self._lookup_empty or postcode in self._postcodes:
            return self._postcodes.get(postcode)
        row = PostcodeForceArea.objects.filter(postcode=postcode).values_list("recipient_id", "pfa_code").first()
        found = (self._by_id.get(row[0]) or self._by_pfa.get(row[1])) if row else None
        if len(self._postcodes) < _CACHE_LIMIT:
            self._postcodes[postcode] = found
        return found

    def _ip_country(self, ip: str) -> str:
        if ip not in self._ip_countries:
            if len(self._ip_countries) >= _CACHE_LIMIT:
                self._ip_countries.clear()
            self._ip_countries[ip] = country_of_ip(ip)
        return self._ip_countries[ip]

    def country_code(self, country: str | None) -> str:
        """ISO alpha-2 from a code ("fr", "UK") or a country name the directory knows ("France")."""
        text = (country or "").strip()
        if len(text) > 2:
            return self._country_names.get(text.lower(), text.upper())
        return _country_code(text)

    def for_country(self, country: str | None) -> Recipient | None:
        return self._by_country.get(self.country_code(country))

    def suggest(self, *, postcode: str | None = None, ip: str | None = None, country: str | None = None):
        """Best clue first: a full postcode in the lookup, then its area, then the IP's country, then the country."""
        notes: list[str] = []
        if postcode and postcode.strip():
            full = normalise_postcode(postcode)
            if full and (recipient := self._lookup_postcode(full)):
                return RecipientSuggestion(recipient, "postcode lookup", False)
            area = postcode_area(postcode)
            if area and (recipient := self._by_code.get(AREA_FORCES.get(area, ""))):
                return RecipientSuggestion(recipient, "postcode area (approximate)", True)
            notes.append(f"Postcode {postcode.strip()!r} is not a recognised UK postcode.")
        if ip and ip.strip():
            try:
                ip_country = self._ip_country(ip.strip())
            except BadIPAddress as error:
                notes.append(f"{error}.")
            else:
                if not ip_country:
                    notes.append(f"No country is known for IP address {ip.strip()} (private or unallocated).")
                elif ip_country == "GB":
                    notes.append("The IP address is in the United Kingdom: a force cannot be told from an IP address.")
                elif recipient := self.for_country(ip_country):
                    return RecipientSuggestion(recipient, f"IP address country ({ip_country})", True, tuple(notes))
                else:
                    notes.append(f"The IP address is in {ip_country}, which has no recipient in the directory.")
        if country and country.strip():
            code = self.country_code(country)
            if recipient := self.for_country(code):
                return RecipientSuggestion(recipient, f"country ({code})", False, tuple(notes))
            if code != "GB":
                notes.append(f"No recipient in the directory for country {country.strip()!r}.")
        return RecipientSuggestion(None, "no usable location", False, tuple(notes))


def suggest_recipient(*, postcode: str | None = None, ip: str | None = None, country: str | None = None):
    """One suggestion. For many, build a `RecipientSuggester` once and call its `.suggest`."""
    return RecipientSuggester(preload_postcodes=False).suggest(postcode=postcode, ip=ip, country=country)


def record_routing_decision(*, actor, suggestion: RecipientSuggestion | None, chosen: Recipient, reason: str,
                            subject_obj) -> RoutingDecision:  # fmt: skip
    """Keep the analyst's confirmation or override of a suggestion, with the reason, and audit it.

    An override (choosing other than a suggested recipient) must give a reason; raises ValidationError.
    """
    audit_actor = _as_actor(actor)
    user = audit_actor.user
    if user is not None and not (
        has_capability(user, Capability.PREPARE_DISSEMINATION) or has_capability(user, Capability.ALLOCATE_REFERRALS)
    ):
        check_capability(user, Capability.PREPARE_DISSEMINATION)
    if chosen is None:
        raise ValidationError("Choose a recipient.")
    if not chosen.is_active:
        raise ValidationError(f"{chosen.name} is marked inactive in the directory: choose another recipient.")
    suggested = suggestion.recipient if suggestion else None
    overridden = suggested is not None and suggested.pk != chosen.pk
    reason = (reason or "").strip()
    if overridden and not reason:
        raise ValidationError(f"Give a reason for choosing {chosen.name} instead of the suggested {suggested.name}.")
    object_type = f"{subject_obj._meta.app_label}.{subject_obj._meta.model_name}"
    with transaction.atomic():
        decision = RoutingDecision.objects.create(
            subject_type=object_type,
            subject_id=str(subject_obj.pk),
            suggested=suggested,
            basis=suggestion.basis if suggestion else "",
            approximate=suggestion.approximate if suggestion else False,
            chosen=chosen,
            overridden=overridden,
            reason=reason,
            decided_by=user,
        )
        record(
            action=Action.ALTERATION,
            actor=audit_actor,
            obj=subject_obj,
            detail={
                "routing_decision": decision.pk,
                "chosen": chosen.code,
                "suggested": suggested.code if suggested else None,
                "basis": decision.basis,
                "overridden": overridden,
                "reason": reason,
            },
        )
    return decision


# --- The directory ---------------------------------------------------------------------------------------------

RECIPIENT_FIELDS = ("name", "kind", "country", "secure_contact", "is_active", "pfa_code", "country_default", "notes")


def save_recipient(*, actor, recipient: Recipient | None = None, code: str = "", **fields) -> Recipient:
    """Create (recipient None, with a code) or change a recipient; the changed fields are audited."""
    check_capability(actor, Capability.MANAGE_RECIPIENTS)
    unknown = set(fields) - set(RECIPIENT_FIELDS)
    if unknown:
        raise TypeError(f"not recipient fields: {sorted(unknown)}")
    creating = recipient is None
    if creating:
        recipient = Recipient(code=code)
    before = {name: getattr(recipient, name) for name in RECIPIENT_FIELDS}
    for name, value in fields.items():
        setattr(recipient, name, value)
    recipient.country = (recipient.country or "").upper()
    recipient.full_clean()
    changed = {name: [before[name], getattr(recipient, name)] for name in fields if before[name] != fields[name]}
    with transaction.atomic():
        recipient.save()
        record(
            action=Action.COLLECTION if creating else Action.ALTERATION,
            actor=Actor.of(actor),
            obj=recipient,
            detail={"code": recipient.code, "changed": changed},
        )
    return recipient


# --- Importing an ONS-style postcode lookup ---------------------------------------------------------------------

# Header names accepted for each column (compared lower-cased, spaces and dashes as underscores). NSPL/ONSPD
# files carry `pcds` (postcode with a space) and `pfa` (the force area code); other lookups may name the force.
POSTCODE_HEADERS = ("postcode", "pcds", "pcd", "pcd2", "pcd7", "pcd8", "post_code")
CODE_HEADERS = ("pfa", "pfacd", "pfa_code", "pfa23cd", "pfa24cd", "police_force_area_code", "force_code")
NAME_HEADERS = ("pfa_name", "pfanm", "pfa23nm", "pfa24nm", "police_force_area", "police_force_area_name", "force")
MAX_STORED_ERRORS = 200
_BATCH = 5_000


class LookupFileError(ValueError):
    """The file as a whole cannot be used (nothing was changed)."""


def _header_key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _find_column(header: list[str], wanted: str | None, candidates: tuple[str, ...]) -> int | None:
    keys = [_header_key(h) for h in header]
    for name in (wanted,) if wanted else candidates:
        if _header_key(name) in keys:
            return keys.index(_header_key(name))
    if wanted:
        raise LookupFileError(f"The file has no column named {wanted!r} (its columns: {', '.join(header)}).")
    return None


def _force_name_key(name: str) -> str:
    words = name.lower().replace("&", "and").replace("-", " ").split()
    noise = {"police", "constabulary", "service", "force", "the", "of"}
    return " ".join(w for w in words if w not in noise)


def import_postcode_lookup(
    *,
    stream: Iterable[str] | io.TextIOBase,
    file_name: str,
    postcode_column: str | None = None,
    code_column: str | None = None,
    name_column: str | None = None,
    progress=None,
) -> PostcodeImport:
    """Replace the whole postcode lookup with the file's rows, streaming it; refused lines are reported by number.

    One transaction: until it commits, the old lookup stays in use, and a failure leaves it as it was.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise LookupFileError("The file is empty: it needs a header row and at least one postcode.") from None
    postcode_at = _find_column(header, postcode_column, POSTCODE_HEADERS)
    code_at = _find_column(header, code_column, CODE_HEADERS)
    name_at = _find_column(header, name_column, NAME_HEADERS)
    if postcode_at is None:
        raise LookupFileError(f"No postcode column found: name it one of {', '.join(POSTCODE_HEADERS)}.")
    if code_at is None and name_at is None:
        raise LookupFileError(
            f"No police force area column found: name it one of {', '.join(CODE_HEADERS + NAME_HEADERS)}."
        )
    recipients = list(Recipient.objects.exclude(kind=RecipientKind.INTERNATIONAL))
    by_code = {r.pfa_code.upper(): r for r in recipients if r.pfa_code}
    by_name = {_force_name_key(r.name): r for r in recipients}

    run = PostcodeImport.objects.create(file_name=file_name)
    errors: list[str] = []
    unmatched: Counter = Counter()
    loaded = refused = 0

    def refuse(line: int, why: str) -> None:
        nonlocal refused
        refused += 1
        if len(errors) < MAX_STORED_ERRORS:
            errors.append(f"line {line}: {why}")

    with transaction.atomic():
        PostcodeForceArea.objects.all().delete()
        batch: list[tuple[str, str, str, int]] = []
        width = max(i for i in (postcode_at, code_at, name_at) if i is not None) + 1
        for line, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                refuse(line, f"has {len(row)} columns, the header has {len(header)}")
                continue
            raw = row[postcode_at].strip()
            postcode = normalise_postcode(raw)
            if not postcode:
                refuse(line, f"{raw!r} is not a full UK postcode")
                continue
            code = row[code_at].strip().upper() if code_at is not None else ""
            name = row[name_at].strip() if name_at is not None else ""
            if not code and not name:
                refuse(line, f"{postcode} has no police force area")
                continue
            recipient = by_code.get(code) if code else None
            if recipient is None and name:
                recipient = by_name.get(_force_name_key(name))
            if recipient is None:
                unmatched[code or name] += 1
                refuse(line, f"police force area {code or name!r} matches no recipient (set its code on the "
                             "recipients page, or give a force name column)")  # fmt: skip
                continue
            batch.append((postcode, code[:12], name[:200], recipient.pk))
            if len(batch) >= _BATCH:
                loaded += _insert(batch)
                batch = []
                if progress:
                    progress(line)
        loaded += _insert(batch)
        kept = PostcodeForceArea.objects.count()
    if kept < loaded:
        errors.append(f"{loaded - kept} lines repeated a postcode given earlier in the file: the first was kept")
    loaded = kept
    if unmatched:
        tally = ", ".join(f"{key!r} ({count} lines)" for key, count in unmatched.most_common(20))
        errors.append(f"unmatched force areas: {tally}")
    run.rows_loaded, run.rows_refused, run.errors, run.finished_at = loaded, refused, errors, timezone.now()
    run.save()
    return run


def _insert(batch: list[tuple[str, str, str, int]]) -> int:
    """Insert (postcode, code, name, recipient id) rows with one executemany: model instances and bulk_create
    cost more than the database does at millions of rows. A repeated postcode keeps its first row (ON CONFLICT
    works on SQLite and PostgreSQL alike); the caller counts what was kept."""
    if not batch:
        return 0
    table = connection.ops.quote_name(PostcodeForceArea._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (postcode, pfa_code, pfa_name, recipient_id) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT (postcode) DO NOTHING",
            batch,
        )
    return len(batch)
