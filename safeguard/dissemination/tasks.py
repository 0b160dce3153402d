"""Telling a recipient that a package is waiting: an email to its secure contact point, with no content in it.

The email carries only the reference and where to get the package (the force portal for UK forces, a signed
acknowledgement link for overseas partners, whose package goes through their own secure channel). Run in the
background after the send commits, so a slow mail server can neither hold up nor undo a dissemination.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.urls import reverse
from django_tasks import task

from safeguard.routing.models import RecipientKind

from .links import acknowledgement_token, link_lifetime
from .models import Dissemination, DisseminationStatus


def _secure_email(recipient) -> str | None:
    address = (recipient.secure_contact or "").strip().removeprefix("mailto:")
    try:
        validate_email(address)
    except ValidationError:
        return None  # a portal or phone contact: the centre tells them another way
    return address


@task()
def notify_recipient(package_id: int) -> bool:
    package = Dissemination.objects.select_related("recipient").filter(pk=package_id).first()
    if package is None or package.status != DisseminationStatus.SENT:
        return False
    address = _secure_email(package.recipient)
    if address is None:
        return False
    site = settings.SAFEGUARD_PUBLIC_BASE_URL
    due = f"{package.acknowledgement_due:%d %B %Y %H:%M} UTC" if package.acknowledgement_due else "soon"
    if package.recipient.kind == RecipientKind.INTERNATIONAL:
        link = site + reverse("dissemination_public:acknowledge", args=[acknowledgement_token(package)])
        how = (
            "The package will reach you through your usual secure channel. When it has, please acknowledge "
            f"receipt here (the link works for {link_lifetime().days} days):\n{link}\n"
        )
    else:
        link = site + reverse("force:detail", args=[package.reference])
        how = f"Sign in to the force portal to read, download and acknowledge it:\n{link}\n"
    body = (
        f"Dissemination package {package.reference} has been sent to {package.recipient.name}.\n\n{how}\n"
        f"Please acknowledge receipt by {due}.\n\nThis message contains no intelligence: do not reply with any.\n"
    )
    EmailMessage(
        subject=f"Dissemination package {package.reference} for {package.recipient.name}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    ).send()
    return True
