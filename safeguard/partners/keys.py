"""API key format, generation and checking.

A key reads `sgk_<prefix>_<secret>`: the prefix (public, 12 chars) finds the row by a unique index,
the secret (43 chars, 256 bits) is compared as SHA-256 in constant time. See ADR 0010.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import ApiKey, Partner, one_or_none

KEY_PREFIX = "sgk_"
LAST_USED_GRANULARITY = timedelta(minutes=1)  # write last_used_at at most once a minute per key


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key_material() -> tuple[str, str]:
    """(prefix, secret): prefix has no underscore so the key splits unambiguously."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, secret


def format_key(prefix: str, secret: str) -> str:
    return f"{KEY_PREFIX}{prefix}_{secret}"


@dataclass(frozen=True)
class KeyProblem:
    status: int
    message: str


def parse_bearer(header: str) -> tuple[str, str] | None:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = token[len(KEY_PREFIX) :].partition("_")
    if not sep or not prefix or not secret or len(prefix) > 16:
        return None
    return prefix, secret


def authenticate(header: str) -> ApiKey | KeyProblem:
    """The key this Authorization header proves, with its partner loaded, or what is wrong."""
    parsed = parse_bearer(header or "")
    if parsed is None:
        return KeyProblem(401, "Send an API key as 'Authorization: Bearer sgk_<prefix>_<secret>'.")
    prefix, secret = parsed
    key = _lookup(prefix)
    # Compare even when no key was found, so timing does not tell which prefixes exist.
    expected = key.secret_sha256 if key else "0" * 64
    if not hmac.compare_digest(expected, sha256_hex(secret)) or key is None:
        return KeyProblem(401, "This API key is not valid.")
    now = timezone.now()
    if key.revoked_at is not None:
        return KeyProblem(401, "This API key has been revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        return KeyProblem(401, "This API key has expired.")
    if key.partner.status != "active":
        return KeyProblem(403, "This partner's access is suspended. Contact the centre.")
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# Keys (with their partner) are kept in each process for a few seconds, saving a query on every API
# request. So a revocation, expiry change, suspension or new limit made elsewhere takes effect within
# SAFEGUARD_PARTNER_KEY_CACHE_SECONDS; the services that make those changes also clear this process's
# copy at once (ADR 0016). Unknown prefixes are not kept: a new key works at once.
_cache: dict[str, tuple[float, ApiKey]] = {}
_CACHE_LIMIT = 10_000


def _lookup(prefix: str) -> ApiKey | None:
    now = time.monotonic()
    hit = _cache.get(prefix)
    if hit is not None and hit[0] > now:
        return hit[1]
    key = one_or_none(ApiKey.objects.select_related("partner").filter(prefix=prefix))
    lifetime = getattr(settings, "SAFEGUARD_PARTNER_KEY_CACHE_SECONDS", 5)
    if key is not None and lifetime > 0:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[prefix] = (now + lifetime, key)
    return key


def forget_cached_keys() -> None:
    """Drop this process's cached keys (after revoking a key or changing a partner's status or limits)."""
    _cache.clear()


def partner_of(key: ApiKey) -> Partner:
    return key.partner
