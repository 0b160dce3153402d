"""`manage.py load_dissemination_demo`: a demo Thames Valley force officer and a few sent packages. Idempotent.

Refuses in production, like the other demo commands. The officer signs in at /staff/ with the demo password and
the TOTP secret printed here, and lands on the force portal.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from safeguard.accounts.models import Role
from safeguard.accounts.services import confirmed_device
from safeguard.accounts.totp import current_code, secret_base32
from safeguard.audit.services import Actor
from safeguard.core.demo import DEMO_PASSWORD, ensure_staff, refuse_in_production
from safeguard.dissemination import services
from safeguard.dissemination.models import Dissemination, DisseminationStatus, OutcomeKind
from safeguard.reporting.models import Report, Source
from safeguard.reporting.services import create_report
from safeguard.routing.models import Recipient, RecipientKind

FORCE_OFFICER = "tvp-officer"
NO_FURTHER_ACTION_REASON = "Demo: a second account turned out to be a classmate; the school is handling it."

# (seed, account, item text, sanitised text, how far it gets, outcomes)
PACKAGES = (
    (
        "dissemination-demo-1",
        "An adult in an online game asked my friend (12) to keep their chats secret and proposed meeting offline "
        "near Reading. Their username was demo_fictional_gamer.",
        "Platform moderator Demo Person reports the account proposed meeting a 12-year-old offline near Reading.",
        "The platform reports the account proposed meeting a 12-year-old offline near Reading.",
        DisseminationStatus.ACKNOWLEDGED,
        ((OutcomeKind.SUBJECT_IDENTIFIED, 1), (OutcomeKind.CHILDREN_SAFEGUARDED, 1)),
    ),
    (
        "dissemination-demo-2",
        "Someone using the name demo_fictional_seller asked children in a chat group for photos.",
        "Account demo_fictional_seller asked several children in a group chat for photos.",
        "",
        DisseminationStatus.SENT,
        (),
    ),
    (
        "dissemination-demo-3",
        "An account called demo_fictional_coach offered free game coins to children who kept their chats secret.",
        "Account demo_fictional_coach offered game coins to children in return for keeping chats secret.",
        "",
        DisseminationStatus.DRAFT,
        (),
    ),
    (
        "dissemination-demo-4",
        "A user named demo_fictional_mentor proposed meeting a 14-year-old at a fictional park in Much Puddling.",
        "User demo_fictional_mentor proposed meeting a 14-year-old offline in Much Puddling.",
        "A user proposed meeting a 14-year-old offline in Much Puddling.",
        DisseminationStatus.APPROVED,
        (),
    ),
    (
        "dissemination-demo-5",
        "An account called demo_fictional_stargazer asked a child for photos and to keep the chat secret.",
        "Account demo_fictional_stargazer asked a child for photos and to keep the chat secret.",
        "",
        DisseminationStatus.ACKNOWLEDGED,
        ((OutcomeKind.ARREST, 1), (OutcomeKind.CHARGE, 1), (OutcomeKind.NO_FURTHER_ACTION, 1)),
    ),
)


class Command(BaseCommand):
    help = "Load a demo force officer (Thames Valley) and sent packages. Refuses in production."

    def handle(self, *args, **options):
        refuse_in_production("load_dissemination_demo")
        force, _ = Recipient.objects.get_or_create(
            code="thames-valley",
            defaults={"name": "Thames Valley Police", "kind": RecipientKind.UK_TERRITORIAL, "country": "GB"},
        )
        analyst = ensure_staff("analyst", Role.ANALYST, "Alex", "Analyst")
        supervisor = ensure_staff("supervisor", Role.SUPERVISOR, "Sam", "Supervisor")
        officer = ensure_staff(FORCE_OFFICER, Role.FORCE_OFFICER, "Tamsin", "Valley-Officer")
        officer.force = force
        officer.save(update_fields=["force"])
        made = sum(self._ensure_package(seed, force, analyst, supervisor, officer, *rest) for seed, *rest in PACKAGES)
        device = confirmed_device(officer)
        self.stdout.write(
            "\n".join(
                [
                    f"Dissemination demo ready: {made} new package(s), {len(PACKAGES) - made} already there.",
                    "Demo force officer sign-in (development only):",
                    f"  username:    {FORCE_OFFICER}  ({force.name})",
                    f"  password:    {DEMO_PASSWORD}",
                    f"  TOTP secret: {secret_base32(device)}  (add to any authenticator app)",
                    f"  code now:    {current_code(device)}  (`manage.py demo_login --username {FORCE_OFFICER}`)",
                ]
            )
        )

    @transaction.atomic
    def _ensure_package(self, seed, force, analyst, supervisor, officer, account, text, sanitised, stage, outcomes):
        report = Report.objects.filter(details__demo_seed=seed).first()
        if report is None:
            report = create_report(
                actor=Actor.system("demo data"),
                source=Source.PUBLIC_WEB,
                fields={"account": account, "details": {"demo_seed": seed}},
            ).report
        if Dissemination.objects.filter(reports=report).exists():
            return False
        package = services.create_draft_dissemination(actor=analyst, recipient=force, report_ids=[report.pk])
        services.update_package(
            actor=analyst,
            package=package,
            summary="Demo: an adult account in contact with children online; see the graded intelligence.",
            risk_assessment="Medium: contact with children, no known offline meeting yet.",
            actions_requested="Identify the account holder and consider a safeguarding visit.",
        )
        item = services.add_item(
            actor=analyst,
            package=package,
            original_text=text,
            source_evaluation="2",
            intelligence_assessment="B",
            handling_code="C",
            handling_conditions="No onward sharing outside UK law enforcement without the centre's consent.",
            no_overseas_sharing=True,
        )
        if sanitised:
            services.sanitise_item(actor=analyst, item=item, sanitised_text=sanitised)
        if stage == DisseminationStatus.DRAFT:
            return True
        services.approve(actor=supervisor, package=package)
        if stage == DisseminationStatus.APPROVED:
            return True
        services.send(actor=analyst, package=package)
        if stage == DisseminationStatus.ACKNOWLEDGED:
            services.acknowledge(package=package, user=officer)
            for kind, count in outcomes:
                services.record_outcome(
                    actor=officer,
                    package=package,
                    kind=kind,
                    occurred_on=timezone.localdate(),
                    count=count,
                    reason=NO_FURTHER_ACTION_REASON if kind == OutcomeKind.NO_FURTHER_ACTION else "",
                )
        else:  # one overdue, so the centre's list shows the chase
            Dissemination.objects.filter(pk=package.pk).update(acknowledgement_due=timezone.now() - timedelta(hours=2))
        return True
