"""Import a known-material hash list file (CSV or VICS-style JSON) as the new version of a named list."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.services import Actor
from safeguard.evidence.hashlists import HashListError, import_hash_list, remove_hash_list
from safeguard.evidence.models import HashList


class Command(BaseCommand):
    help = "Import a hash list (CSV columns hash_type,value,category,source; or VICS JSON), or remove one."

    def add_arguments(self, parser):
        parser.add_argument("list_name", help="the list's name, e.g. 'national-hash-set'")
        parser.add_argument("path", nargs="?", help="the file to import")
        parser.add_argument("--source", default="", help="who issued the list (required for a new list)")
        parser.add_argument("--format", choices=["csv", "vics"], help="default: from the file")
        parser.add_argument("--issued-on", type=date.fromisoformat, help="the date the source gave (YYYY-MM-DD)")
        parser.add_argument("--allow-bad-rows", action="store_true", help="import good rows even if some are bad")
        parser.add_argument("--remove", action="store_true", help="stop matching against this list")
        parser.add_argument("--reason", default="", help="why (recorded in the audit log)")

    def handle(self, *args, **options):
        actor = Actor.system("import_hash_list")
        name = options["list_name"]
        if options["remove"]:
            hash_list = HashList.objects.filter(name=name).first()
            if hash_list is None:
                raise CommandError(f"No hash list called {name!r}.")
            remove_hash_list(hash_list=hash_list, actor=actor, reason=options["reason"] or "removed by command")
            self.stdout.write(f"Removed {name}: it is no longer matched against.")
            return
        if not options["path"]:
            raise CommandError("Give the file to import (or --remove).")
        if not HashList.objects.filter(name=name).exists() and not options["source"]:
            raise CommandError("A new list needs --source (who issued it).")
        try:
            with open(options["path"], "rb") as stream:
                result = import_hash_list(
                    list_name=name,
                    list_source=options["source"],
                    stream=stream,
                    file_name=options["path"].rsplit("/", 1)[-1],
                    actor=actor,
                    file_format=options["format"],
                    issued_on=options["issued_on"],
                    allow_bad_rows=options["allow_bad_rows"],
                )
        except (OSError, HashListError) as error:
            raise CommandError(str(error)) from None
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problem_count > len(result.problems):
            self.stderr.write(f"... and {result.problem_count - len(result.problems)} more problems")
        if not result.applied:
            raise CommandError(
                f"Nothing imported: {result.problem_count} bad rows. Fix them, or use --allow-bad-rows to skip them."
            )
        self.stdout.write(
            f"Imported {result.imported} hashes as {name} version {result.version.number}"
            + (f" (skipped {result.problem_count} bad rows)" if result.problem_count else "")
        )
