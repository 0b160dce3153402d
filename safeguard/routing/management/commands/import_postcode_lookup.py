"""Load an ONS-style postcode -> police force area lookup (CSV), replacing the one in use.

    manage.py import_postcode_lookup NSPL_FEB_2026_UK.csv
    manage.py import_postcode_lookup lookup.csv --postcode-column pcds --code-column pfa

Columns are found by header name (case and spacing ignored):
  postcode:             postcode, pcds, pcd, pcd2, pcd7, pcd8, post_code
  force area code:      pfa, pfacd, pfa_code, pfa23cd, pfa24cd, police_force_area_code, force_code
  force area name:      pfa_name, pfanm, pfa23nm, pfa24nm, police_force_area, police_force_area_name, force
A code column is matched against each recipient's "police force area code"; a name column (used when there is
no code, or the code matches nothing) against recipient names. The file is read as a stream (the full NSPL has
~2.7 million rows); the replacement is one transaction, so the old lookup stays in force until it commits and
is untouched if anything fails. Running it again with the same file gives the same lookup.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.audit.models import Action
from safeguard.audit.services import Actor, record
from safeguard.routing.services import LookupFileError, import_postcode_lookup


class Command(BaseCommand):
    help = "Replace the postcode -> police force area lookup with an ONS-style CSV file (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header row")
        parser.add_argument("--postcode-column", help="header of the postcode column, if not a standard one")
        parser.add_argument("--code-column", help="header of the police force area code column")
        parser.add_argument("--name-column", help="header of the police force area name column")
        parser.add_argument("--encoding", default="utf-8-sig", help="file encoding (default utf-8-sig)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        verbosity = options["verbosity"]

        def progress(line: int) -> None:
            if verbosity > 1 and line % 100_000 < 5_000:
                self.stdout.write(f"  ... line {line:,}")

        try:
            with path.open(encoding=options["encoding"], newline="") as stream:
                run = import_postcode_lookup(
                    stream=stream,
                    file_name=path.name,
                    postcode_column=options["postcode_column"],
                    code_column=options["code_column"],
                    name_column=options["name_column"],
                    progress=progress,
                )
        except LookupFileError as error:
            raise CommandError(f"{error} Nothing was changed.") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"The file is not {options['encoding']} text ({error.reason} at byte {error.start}); "
                "give --encoding. Nothing was changed."
            ) from error
        record(
            action=Action.COLLECTION,
            actor=Actor.system("import_postcode_lookup"),
            obj=run,
            detail={"file": run.file_name, "loaded": run.rows_loaded, "refused": run.rows_refused},
        )
        for error in run.errors:
            self.stderr.write(error)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {run.rows_loaded:,} postcodes from {path.name}; refused {run.rows_refused:,}.")
        )
