"""Normalising identifiers: one canonical form per kind, so the same account matches however it was typed.

Every function returns a `Normalised`: the canonical value (empty when nothing usable could be made
of the text), whether it may be used to merge subjects, and, when it may not, why in plain words.
Garbage is never dropped: the caller keeps the raw text with the problem.
"""

import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import phonenumbers


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    IP = "ip"
    URL = "url"
    USERNAME = "username"
    PLATFORM_ID = "platform_id"
    DEVICE_ID = "device_id"
    FILE_HASH = "file_hash"
    DISPLAY_NAME = "display_name"
    ROOM = "room"


KIND_LABELS = {
    Kind.EMAIL: "Email",
    Kind.PHONE: "Phone",
    Kind.IP: "IP address",
    Kind.URL: "Web address",
    Kind.USERNAME: "Username",
    Kind.PLATFORM_ID: "Platform account id",
    Kind.DEVICE_ID: "Device id",
    Kind.FILE_HASH: "File hash",
    Kind.DISPLAY_NAME: "Display name",
    Kind.ROOM: "Group or room",
}

# Strong identifiers point at one account or person: two reports sharing one are about the same subject.
# Weak ones (display names, IP addresses behind shared or carrier NAT) only suggest a link to a person.
STRONG_KINDS = frozenset({Kind.EMAIL, Kind.PHONE, Kind.URL, Kind.USERNAME, Kind.PLATFORM_ID, Kind.DEVICE_ID})
# Usernames, account ids and rooms mean something only on their platform: "sam" on two services is two people.
PLATFORM_SCOPED = frozenset({Kind.USERNAME, Kind.PLATFORM_ID, Kind.ROOM, Kind.DISPLAY_NAME})

MAX_USERNAME = 64
MAX_VALUE = 500


@dataclass(frozen=True)
class Normalised:
    value: str
    valid: bool = True
    problem: str = ""


def _bad(problem: str, value: str = "") -> Normalised:
    return Normalised(value=value, valid=False, problem=problem)


def identifier_key(kind: str, platform: str, value: str) -> str:
    """Fixed-size lookup key: the index stays small and fast whatever the length of the value."""
    scoped_platform = platform if kind in PLATFORM_SCOPED else ""
    return hashlib.sha256(f"{kind}\x1f{scoped_platform}\x1f{value}".encode()).hexdigest()[:40]


# The two entry points the extraction calls for every identifier are pure functions of their arguments that
# return immutable values (str, frozen Normalised), so a bounded cache is safe for every caller: referral
# files and partner feeds repeat platforms, IP addresses and names far more than they add new ones
# (docs/adr/0074). Bounded, so memory stays flat however many distinct identifiers a process sees.
CACHE_SIZE = 1 << 16


@lru_cache(maxsize=CACHE_SIZE)
def normalise_platform(text: str) -> str:
    return re.sub(r"[\s._-]+", "", unicodedata.normalize("NFKC", text or "").casefold())[:100]


# --- email ---------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$")
# Providers that document that dots and +tags are ignored in the local part. For anyone else the local
# part may be meaningful (a +tag can be a different mailbox), so it is kept exactly.
_GMAIL_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
_PLUS_TAG_DOMAINS = {"gmail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "icloud.com"}


def normalise_email(raw: str) -> Normalised:
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:") :]
    text = text.strip().strip("<>").strip()
    if len(text) > 254 or not _EMAIL_RE.match(text) or ".." in text:
        return _bad("Not a well-formed email address")
    local, domain = text.rsplit("@", 1)
    domain = _GMAIL_DOMAINS.get(domain, domain)
    if domain in _PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain == "gmail.com":
        local = local.replace(".", "")
    if not local:
        return _bad("Not a well-formed email address")
    return Normalised(f"{local}@{domain}")


# --- phone ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # parsing is the slowest normaliser (~0.1 ms) and the same numbers recur
def normalise_phone(raw: str, region: str = "GB") -> Normalised:
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return _bad("Not a phone number")
    if not phonenumbers.is_valid_number(number):
        return _bad("Not a possible phone number for its country")
    return Normalised(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# --- IP ------------------------------------------------------------------------------------------------


def normalise_ip(raw: str) -> Normalised:
    try:
        address = ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return _bad("Not an IP address")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    value = str(address)
    # Private and reserved addresses identify a home network or nothing at all, never a person.
    if address.is_private or address.is_reserved or address.is_loopback or address.is_link_local:
        return _bad("Private or reserved address: says nothing about who it was", value=value)
    if address.is_multicast or address.is_unspecified:
        return _bad("Not an address a person connects from", value=value)
    return Normalised(value)


# --- URL -----------------------------------------------------------------------------------------------

_TRACKING_PARAMS = {"fbclid", "gclid", "igshid", "igsh", "si", "mc_cid", "mc_eid", "ref", "ref_src", "s", "t"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(raw: str) -> Normalised:
    text = raw.strip().rstrip(".,;)")
    if text.lower().startswith("www."):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return _bad("Not a well-formed web address")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host or "." not in host or len(text) > 2000:
        return _bad("Not a well-formed web address")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return _bad("Web address with an impossible host name")
    if host.startswith("www."):
        host = host[4:]
    # http and https pages of the same profile are the same profile.
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    )
    path = parts.path.rstrip("/")
    return Normalised(urlunsplit(("https", netloc, path, urlencode(query), "")))


# --- usernames -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _confusable_map() -> dict[str, str]:
    """Character -> the ASCII letters it looks like, from the Unicode confusables table."""
    from confusable_homoglyphs import confusables

    table = {}
    for char, entries in confusables.confusables_data.items():
        if char.isascii():
            continue
        for entry in entries:
            if entry["c"].isascii() and entry["c"].isprintable():
                table[char] = entry["c"].lower()
                break
    return table


def fold_confusables(text: str) -> str:
    table = _confusable_map()
    return "".join(table.get(ch, ch) for ch in text)


def _scripts(text: str) -> set[str]:
    scripts = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            scripts.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return scripts


def normalise_username(raw: str) -> Normalised:
    text = unicodedata.normalize("NFKC", raw).strip().lstrip("@").strip()
    if not text or len(text) > MAX_USERNAME or any(ch.isspace() or not ch.isprintable() for ch in text):
        return _bad(f"Not a plausible username (empty, spaces, or over {MAX_USERNAME} characters)")
    if text.isascii():
        # Most names: nothing to fold (the confusables table maps non-ASCII characters only) and one script.
        return Normalised(text.lower())
    folded = fold_confusables(text.casefold()).casefold()
    if len(_scripts(text)) > 1:
        # Mixing alphabets (a Cyrillic "а" inside a Latin name) is how impersonators copy a name;
        # the folded form still suggests the account it imitates, but never merges with it.
        return _bad("Mixes alphabets: possibly imitating another name", value=folded)
    return Normalised(folded)


def normalise_display_name(raw: str) -> Normalised:
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not text or len(text) > 200:
        return _bad("Empty or over 200 characters")
    if text.isascii():  # as for usernames: no confusables to fold, and casefold is lower for ASCII
        return Normalised(text.lower())
    return Normalised(fold_confusables(text.casefold()).casefold())


def normalise_opaque(raw: str) -> Normalised:
    """Account ids, device ids, room names: trimmed, case-folded (services do not tell ids apart by case)."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split()).casefold()
    if not text or len(text) > MAX_VALUE:
        return _bad(f"Empty or over {MAX_VALUE} characters")
    return Normalised(text)


_HEX_LENGTHS = {32: "MD5", 40: "SHA-1", 64: "SHA-256 or PDQ"}


def normalise_file_hash(raw: str) -> Normalised:
    text = raw.strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", text) or len(text) not in _HEX_LENGTHS:
        return _bad("Not an MD5, SHA-1 or SHA-256 hash")
    return Normalised(text)


NORMALISERS: dict[Kind, Callable[[str], Normalised]] = {
    Kind.EMAIL: normalise_email,
    Kind.PHONE: normalise_phone,
    Kind.IP: normalise_ip,
    Kind.URL: normalise_url,
    Kind.USERNAME: normalise_username,
    Kind.PLATFORM_ID: normalise_opaque,
    Kind.DEVICE_ID: normalise_opaque,
    Kind.FILE_HASH: normalise_file_hash,
    Kind.DISPLAY_NAME: normalise_display_name,
    Kind.ROOM: normalise_opaque,
}


@lru_cache(maxsize=CACHE_SIZE)  # see CACHE_SIZE: pure, immutable result
def normalise(kind: Kind, raw: str) -> Normalised:
    return NORMALISERS[Kind(kind)](raw)
