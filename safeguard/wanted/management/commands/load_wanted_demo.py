"""Demo Most Wanted records: eight fictional people, five of them since found (as in the first year)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from safeguard.accounts.models import User
from safeguard.core.demo import refuse_in_production
from safeguard.wanted import services
from safeguard.wanted.models import WantedPerson, WantedStatus

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
]  # fmt: skip


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
            services.submit_for_approval(user=author, person=person)
            person = services.approve_and_publish(user=approver, person=person)
            if final != WantedStatus.PUBLISHED:
                services.change_public_status(user=author, person=person, to=final, note="Demo data")
            created += 1
        self.stdout.write(f"Most Wanted demo data ready: {created} new record(s).")
