"""Import a (very large) referral file in the foreground, with a progress bar.

    manage.py import_referrals FILE --partner "Interpol NCB Ruritania" [--format csv] [--map "Nick=screen_name"]
    manage.py import_referrals --resume IMPORT_ID

The file is read where it lies (not copied). Progress, pause, resume and cancel work as for web uploads:
the import also shows on the staff progress page, and Ctrl+C leaves it resumable from its checkpoint.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from safeguard.accounts.models import User
from safeguard.referrals import parsers, services
from safeguard.referrals.models import ImportState, ReferralImport


class Command(BaseCommand):
    help = "Import a partner agency's referral file (XML, CSV or JSON Lines) with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the referral file")
        parser.add_argument("--partner", help="the partner agency that sent it")
        parser.add_argument("--format", choices=["xml", "csv", "jsonl"], help="default: from the file name")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=NAME",
            help="CSV: import the file's COLUMN as documented column NAME (empty NAME: do not import it)",
        )
        parser.add_argument("--user", help="the staff username the import is recorded against (default: system)")
        parser.add_argument("--resume", type=int, metavar="IMPORT_ID", help="resume a paused or stopped import")
        parser.add_argument("--chunk", type=int, default=services.CHUNK, help="records per committed chunk")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes preparing chunks while this one writes (default: REFERRALS_PREPARE_WORKERS or 0)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")

    def handle(self, *args, **options):
        user = self._user(options["user"])
        if options["resume"]:
            imp = ReferralImport.objects.filter(pk=options["resume"]).first()
            if imp is None:
                raise CommandError(f"No import {options['resume']}")
            if imp.state == ImportState.RUNNING:
                # The command's own run was interrupted (Ctrl+C, a crash): nothing else is running it.
                ReferralImport.objects.filter(pk=imp.pk).update(state=ImportState.QUEUED)
            elif imp.state == ImportState.PAUSED:
                ReferralImport.objects.filter(pk=imp.pk).update(state=ImportState.QUEUED, requested_state="")
            elif imp.state != ImportState.QUEUED:
                raise CommandError(f"Import {imp.pk} is {imp.get_state_display().lower()}: it cannot be resumed")
        else:
            imp = self._create(user, options)
        self.stdout.write(f"Import {imp.pk}: {imp.original_name} from {imp.partner}")
        bar = (
            None if options["no_progress"] else tqdm(total=imp.size, unit="B", unit_scale=True, desc=f"import {imp.pk}")
        )
        last = [imp.bytes_read]

        def progress(current: ReferralImport) -> None:
            if bar is not None:
                bar.update(current.bytes_read - last[0])
                last[0] = current.bytes_read
                bar.set_postfix(
                    read=current.records_read,
                    accepted=current.accepted,
                    rejected=current.rejected,
                    linked=current.linked,
                    refresh=False,
                )

        if bar is not None:
            bar.update(imp.bytes_read)
        try:
            done = services.run_import(
                imp.pk, chunk_size=options["chunk"], workers=options["workers"], on_progress=progress
            )
        except KeyboardInterrupt:
            raise CommandError(f"Interrupted. Resume with: manage.py import_referrals --resume {imp.pk}") from None
        finally:
            if bar is not None:
                bar.close()
        if done is None:
            raise CommandError(f"Import {imp.pk} is not waiting to run (another worker may have it)")
        self.stdout.write(
            f"{done.get_state_display()}: {done.records_read} read, {done.accepted} accepted, "
            f"{done.rejected} rejected, "
            f"{done.duplicates} duplicates, {done.linked} linked to known subjects, "
            f"{done.lines_per_second:.0f} lines/s"
        )
        if done.fatal_error:
            raise CommandError(done.fatal_error)

    def _user(self, username):
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff user {username}")
        return user

    def _create(self, user, options) -> ReferralImport:
        if not options["file"] or not options["partner"]:
            raise CommandError("Give the FILE and --partner (or --resume IMPORT_ID)")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}")
        fmt = options["format"] or parsers.guess_format(path.name)
        if not fmt:
            raise CommandError("Give --format: the file name does not say (.xml, .csv or .jsonl)")
        mapping = {}
        for item in options["map"]:
            column, sep, name = item.partition("=")
            if not sep:
                raise CommandError(f"--map takes COLUMN=NAME, not {item!r}")
            mapping[column.strip()] = name.strip()
        try:
            imp = services.create_import(
                user=user,
                partner=options["partner"],
                fmt=fmt,
                original_name=path.name,
                path=path,
                column_mapping=mapping,
                check=user is not None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if fmt == "csv":
            try:
                _, problems = services.csv_mapping_problems(imp)
            except parsers.FileProblem as exc:
                problems = [str(exc)]
            if problems:
                services.cancel(user=user, imp=imp, check=user is not None)
                raise CommandError("; ".join(problems))
        return imp
