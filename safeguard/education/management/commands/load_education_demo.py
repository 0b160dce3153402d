from django.core.management.base import BaseCommand

from safeguard.education import demo


class Command(BaseCommand):
    help = "Load synthetic education data (programmes, trainers, sessions, a survey, courses) once."

    def handle(self, *args, **options):
        if demo.load():
            self.stdout.write("Education demo data loaded.")
        else:
            self.stdout.write("Education data already present: nothing loaded.")
