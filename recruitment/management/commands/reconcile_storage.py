"""`python manage.py reconcile_storage [--execute] [--min-age-minutes N]`."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recruitment.cvs import storage
from recruitment.retention.services.reconciliation import reconcile_storage


class Command(BaseCommand):
    help = (
        "Find CV and export objects in storage that no database row references, with every "
        "version and delete marker of each. Dry run by default; --execute erases them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--execute", action="store_true", help="Erase the orphaned objects (every version)."
        )
        parser.add_argument(
            "--min-age-minutes",
            type=int,
            default=60,
            help=(
                "Ignore objects with any version or delete marker younger than this (their "
                "upload may still be committing)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = reconcile_storage(
                execute=options["execute"],
                min_age=timedelta(minutes=options["min_age_minutes"]),
            )
        except storage.StorageUnavailable as exc:
            raise CommandError("Object storage is unavailable; nothing was changed.") from exc
        self.stdout.write(
            f"Scanned {report.scanned} objects; {len(report.orphaned)} orphaned "
            f"({report.orphaned_versions} versions and delete markers)."
        )
        for key in report.orphaned:
            self.stdout.write(f"  orphan: {key}")
        if not options["execute"]:
            if report.orphaned:
                self.stdout.write("Dry run: nothing deleted. Re-run with --execute to delete.")
            return
        self.stdout.write(self.style.SUCCESS(f"Deleted {report.deleted} objects."))
        if report.not_deleted:
            raise CommandError(f"{len(report.not_deleted)} objects could not be deleted; re-run.")
