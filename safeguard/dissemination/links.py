"""Signed, expiring acknowledgement links for recipients without an account (overseas partners).

The token names the package and its recipient and is signed with the site's secret (django.core.signing), so
it cannot be forged or pointed at another package; it expires, so a link found in an old mailbox does nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import Dissemination

_SALT = "safeguard.dissemination.acknowledge"


class LinkProblem(Exception):
    """The link is not one we issued, is for another package, or has expired: said plainly to the visitor."""


def link_lifetime() -> timedelta:
    return timedelta(days=getattr(settings, "DISSEMINATION_ACKNOWLEDGE_LINK_DAYS", 14))


def acknowledgement_token(package: Dissemination) -> str:
    return signing.dumps({"p": package.pk, "r": package.recipient.code}, salt=_SALT, compress=True)


def package_for_token(token: str) -> Dissemination:
    try:
        data = signing.loads(token, salt=_SALT, max_age=link_lifetime())
    except signing.SignatureExpired as exc:
        raise LinkProblem("This acknowledgement link has expired. Ask the centre for a new one.") from exc
    except signing.BadSignature as exc:
        raise LinkProblem("This acknowledgement link is not valid. Check it was copied in full.") from exc
    package = Dissemination.objects.select_related("recipient").filter(pk=data.get("p")).first()
    if package is None or package.recipient.code != data.get("r"):
        raise LinkProblem("This acknowledgement link is not for a package we can find. Ask the centre.")
    return package
