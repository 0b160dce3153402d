"""Demo Most Wanted records: eight fictional people, five of them since found (as in the first year), plus one in
each of the other states (a draft, one awaiting approval, one withdrawn, one returned to draft) and a sighting."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.core.demo import refuse_in_production
from safeguard.wanted import services
from safeguard.wanted.models import Sighting, WantedPerson, WantedStatus
from safeguard.wanted.sightings import SightingDetails, report_sighting

RETURNED = "returned"  # sent for approval, sent back to the author with a reason: a draft again

OFFENCES = "Failed to comply with notification requirements; convicted of offences against children."

# (name, aliases, description, last known area, force area, date missing, final status)
PEOPLE = [
    ("Barnaby Thistlewick", "Barney T", "About 5ft 9in, short brown hair, beard.", "Much Puddling", "Kent",
     date(2026, 2, 1), WantedStatus.PUBLISHED),
    ("Oswald Crumplehorn", "", "About 6ft, thin build, grey hair, glasses.", "Lower Fibbing", "Essex",
     date(2026, 3, 14), WantedStatus.PUBLISHED),
    ("Percival Gloamwood", "Percy Gloam", "About 5ft 7in, stocky, shaved head.", "Nether Wallop-on-Sea", "Sussex",
     date(2026, 4, 2), WantedStatus.PUBLISHED),
    ("Ambrose Quillfeather", "Bram Quill", "Tall, grey hair, limps on the left leg.", "Little Wobbling", "Surrey",
     date(2025, 11, 5), WantedStatus.ARRESTED),
    ("Cornelius Wimbleton", "", "Medium build, red hair.", "Great Snoring Parva", "Norfolk",
     date(2025, 10, 20), WantedStatus.ARRESTED),
    ("Dorian Pumpkinseed", "D. Seed", "Short, dark hair, tattoo on the right forearm.", "Upper Dithering", "Kent",
     date(2025, 9, 30), WantedStatus.LOCATED),
    ("Ezekiel Marrowbone", "", "About 6ft 2in, long fair hair.", "Bishops Fumbling", "Thames Valley",
     date(2025, 12, 1), WantedStatus.ARRESTED),
    ("Fitzgerald Puddlecombe", "Fitz", "Slim, brown hair, walks with a stick.", "Chipping Muddle", "Avon and Somerset",
     date(2025, 8, 18), WantedStatus.ARRESTED),
    ("Gideon Wafflethorpe", "", "About 5ft 10in, curly black hair.", "Much Puddling", "Kent",
     date(2026, 10, 3), WantedStatus.DRAFT),
    ("Horatio Bumbleford", "Horace B", "Heavy build, bald, small scar on the chin.", "Lower Fibbing", "Essex",
     date(2026, 9, 12), WantedStatus.AWAITING_APPROVAL),
    ("Ignatius Plumtree", "", "Slim, fair hair, often wears a green cap.", "Little Wobbling", "Surrey",
     date(2026, 6, 21), RETURNED),
    ("Jasper Nettlebottom", "Jas", "About 5ft 8in, brown hair in a ponytail.", "Upper Dithering", "Sussex",
     date(2026, 1, 9), WantedStatus.WITHDRAWN),
]  # fmt: skip
SIGHTING_OF = "Barnaby Thistlewick"


class Command(BaseCommand):
    help = "Load eight fictional Most Wanted records (needs the demo staff from load_demo_data). Not in production."

    def handle(self, *args, **options):
        refuse_in_production("load_wanted_demo")
        author = User.objects.filter(role="investigator", is_active=True).order_by("pk").first()
        approver = User.objects.filter(role="supervisor", is_active=True).order_by("pk").first()
        if author is None or approver is None:
            raise CommandError("Run load_demo_data first: an investigator and a supervisor are needed.")
        created = 0
        for name, aliases, description, town, area, missing, final in PEOPLE:
            if WantedPerson.objects.filter(full_name=name).exists():
                continue
            person = services.create_wanted_person(
                user=author,
                fields={
                    "full_name": name,
                    "aliases": aliases,
                    "physical_description": description,
                    "last_known_area": town,
                    "area": area,
                    "offences": OFFENCES,
                    "leading_force": area,
                    "date_missing": missing,
                },
            )
            created += 1
            if final == WantedStatus.DRAFT:
                continue
            services.submit_for_approval(user=author, person=person)
            if final == RETURNED:
                services.return_to_draft(
                    user=approver, person=person, reason="Demo: add the date they were last seen in the area."
                )
                continue
            if final == WantedStatus.AWAITING_APPROVAL:
                continue
            person = services.approve_and_publish(user=approver, person=person)
            if final != WantedStatus.PUBLISHED:
                services.change_public_status(user=author, person=person, to=final, note="Demo data")
        sightings = self._ensure_sighting()
        self.stdout.write(f"Most Wanted demo data ready: {created} new record(s), {sightings} new sighting(s).")

    def _ensure_sighting(self) -> int:
        person = WantedPerson.objects.filter(full_name=SIGHTING_OF, status=WantedStatus.PUBLISHED).first()
        if person is None or Sighting.objects.filter(person=person).exists():
            return 0
        report_sighting(
            person=person,
            details=SightingDetails(
                seen_on=timezone.localdate() - timedelta(days=1),
                seen_time="About 4pm",
                seen_where="Outside the library on the high street, Much Puddling",
                description="A man who looked like the photo, with a beard, waiting at the bus stop.",
                contact_name="Demo Member of Public",
                contact_email="sighting.demo@example.invalid",
            ),
        )
        return 1
