import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.education.surveys import survey_from_definition

EXAMPLE = """{
  "title": "After the session",
  "programme": "online-friends-11-13",
  "questions": [
    {"code": "met_offline", "text": "Have you ever met up with someone you first met online?", "kind": "single",
     "options": [["yes", "Yes"], ["no", "No"], ["not_say", "I'd rather not say"]]},
    {"code": "took_friend", "text": "Did you take a friend with you?", "kind": "single",
     "options": [["yes", "Yes"], ["no", "No"]], "condition": ["met_offline", "yes"]},
    {"code": "apps", "text": "Which do you use?", "kind": "multiple",
     "options": [["video", "Video"], ["games", "Games"]]},
    {"code": "confidence", "text": "How sure are you where to get help?", "kind": "scale", "scale": [1, 5]}
  ]
}"""


class Command(BaseCommand):
    help = (
        "Create an anonymous survey from a JSON definition. Kinds: single, multiple, scale (no free text, by design). "
        "A question with a 'condition' [earlier code, answer] is asked only after that answer. Example:\n" + EXAMPLE
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON file with the survey definition")

    def handle(self, *args, **options):
        try:
            definition = json.loads(Path(options["path"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc}") from None
        try:
            survey = survey_from_definition(definition)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Survey {survey.pk} created: {survey.title} ({survey.questions.count()} questions)")
