"""Signed context for the Report Abuse button.

A partner's app builds a link to /report/?ctx=<token>. The token carries what the partner knows
(platform, reported account, conversation, the reporter's own account) and is signed with the
partner's button secret, so the centre can tell partner-verified context from what a reporter
types. token = base64url(JSON) + "." + base64url(HMAC-SHA256(secret, base64url(JSON))).
A bad token is dropped with a notice: the reporter still reports, only without the context.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time

from .models import Partner, PartnerStatus

CONTEXT_FIELDS = {
    "platform": 200,
    "reported_account_id": 200,
    "reported_display_name": 200,
    "content_reference": 500,
    "reporter_account_id": 200,
}
MAX_TOKEN_LENGTH = 4096
MAX_TTL_SECONDS = 7 * 24 * 3600

NOTICE_INVALID = (
    "We could not check the details sent by the app you came from, so we have not used them. "
    "You can still make your report and tell us the details yourself."
)
NOTICE_EXPIRED = (
    "The link from the app you came from is too old, so we have not used the details it sent. "
    "You can still make your report and tell us the details yourself."
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def sign_context(partner: Partner, payload: dict, ttl: int = 3600, *, now: float | None = None) -> str:
    """What a partner's server does (shown here for docs, tests and the demo)."""
    unknown = set(payload) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown context fields: {', '.join(sorted(unknown))}")
    issued = int(now if now is not None else time.time())
    document = {"p": partner.slug, "exp": issued + min(ttl, MAX_TTL_SECONDS), **payload}
    body = _b64(json.dumps(document, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(partner.button_secret, body)}"


def verify_context(token: str, *, now: float | None = None) -> tuple[dict | None, str | None]:
    """(context, None) for a good token; (None, notice) for a tampered, unknown or expired one.

    The context returned holds only the known fields (each trimmed to its length), plus
    `partner` (slug) and `partner_name`, and `verified: True`.
    """
    if not token:
        return None, None
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return None, NOTICE_INVALID
    body, signature = token.split(".")
    try:
        document = json.loads(_unb64(body))
    except (binascii.Error, ValueError):
        return None, NOTICE_INVALID
    if not isinstance(document, dict) or not isinstance(document.get("p"), str):
        return None, NOTICE_INVALID
    partner = Partner.objects.filter(slug=document["p"], status=PartnerStatus.ACTIVE).first()
    # Check the signature even without a partner, so timing does not reveal which slugs exist.
    expected = _mac(partner.button_secret if partner else "no-such-partner", body)
    if partner is None or not hmac.compare_digest(expected, signature):
        return None, NOTICE_INVALID
    expires = document.get("exp")
    if not isinstance(expires, int) or expires < (now if now is not None else time.time()):
        return None, NOTICE_EXPIRED
    context = {
        name: str(document[name])[:limit]
        for name, limit in CONTEXT_FIELDS.items()
        if isinstance(document.get(name), str | int) and str(document[name]).strip()
    }
    context.update({"partner": partner.slug, "partner_name": partner.name, "verified": True})
    return context, None


def prefill_for_step(context: dict | None, slug: str) -> dict:
    """Initial answers for a public journey step from verified button context ({} if none).

    Only suggestions: the reporter sees them filled in and can change them; what they submit is
    their answer, and the verified context itself is kept separately on the report.
    """
    if not context:
        return {}
    if slug == "where" and context.get("platform"):
        return {"platform_name": context["platform"]}
    if slug == "who":
        lines = []
        if context.get("reported_display_name"):
            lines.append(f"Name shown: {context['reported_display_name']}")
        if context.get("reported_account_id"):
            lines.append(f"Account id: {context['reported_account_id']}")
        return {"subject_identifiers": "\n".join(lines)} if lines else {}
    return {}
