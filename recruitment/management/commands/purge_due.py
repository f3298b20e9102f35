"""`python manage.py purge_due [--execute] [--now ISO8601]`: what is due for erasure, and erase it.

Output names applications by id and postings by id and title: never a candidate.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, QuerySet
from django.utils import timezone

from recruitment.models import Application, RetentionConsent
from recruitment.retention.services import purge
from recruitment.retention.services import schedule as retention

BAR_WIDTH = 30
CHUNK = 500
# Only what the listing shows and compute_due reads: no candidate row is ever loaded.
LISTED_FIELDS = (
    "id",
    "candidate",
    "posting_id",
    "posting__title",
    "posting__concluded_at",
    "stage",
    "decided_at",
    "purge_due_at",
    "restricted",
    "under_age_flagged_at",
)


def parse_now(value: str | None) -> datetime:
    """The evaluation time: `value` (ISO 8601; naive means the current time zone) or now."""
    if not value:
        return timezone.now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 date and time: {value!r}") from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def with_reasons(applications: QuerySet[Application]) -> Iterator[tuple[Application, str]]:
    """Each scheduled application with why it is due (a retention.Reason, "" if not due).

    Reads only ids, dates and stages (never the candidate's row); consents are fetched per
    chunk, so the number of queries grows with the number of chunks, not of applications.
    Held applications are never scheduled (their `purge_due_at` is null), so holds are not
    read here. Read-only.
    """
    rows = applications.select_related("posting").only(*LISTED_FIELDS)
    chunk: list[Application] = []
    for application in rows.iterator(chunk_size=CHUNK):
        chunk.append(application)
        if len(chunk) == CHUNK:
            yield from _reasons_for(chunk)
            chunk = []
    yield from _reasons_for(chunk)


def _reasons_for(chunk: list[Application]) -> Iterable[tuple[Application, str]]:
    if not chunk:
        return []
    consents: dict[UUID, list[RetentionConsent]] = defaultdict(list)
    for consent in RetentionConsent.objects.filter(
        candidate_id__in={a.candidate_id for a in chunk},
        scope=RetentionConsent.Scope.TALENT_POOL,
    ).only("candidate_id", "expires_at", "withdrawn_at"):
        consents[consent.candidate_id].append(consent)
    return [
        (
            application,
            retention.compute_due(
                application,
                posting=application.posting,
                consents=consents[application.candidate_id],
                on_hold=False,
            ).reason,
        )
        for application in chunk
    ]


def progress_bar(done: int, total: int, *, width: int = BAR_WIDTH) -> str:
    filled = width if total <= 0 else min(width, done * width // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


class Command(BaseCommand):
    help = (
        "List the applications due for erasure now (dry run, the default), or erase them "
        "with --execute. The output identifies applications by id only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--execute", action="store_true", help="Erase what is due.")
        parser.add_argument(
            "--now",
            help="Evaluate as of this ISO 8601 time instead of now (e.g. 2026-01-31T12:00+01:00).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_now(options["now"])
        due = purge.due_applications(now=now)
        total = due.count()
        self.stdout.write(f"Due for erasure at {now.isoformat()}: {total} application(s).")
        if not total:
            return
        per_posting = list(
            due.order_by()
            .values("posting_id", "posting__title")
            .annotate(count=Count("pk"))
            .order_by("posting_id")
        )
        for row in per_posting:
            self.stdout.write(
                f"  posting {row['posting_id']} ({row['posting__title']}): {row['count']}"
            )
        if not options["execute"]:
            self._list(due)
            self.stdout.write("Dry run: nothing erased. Re-run with --execute to erase.")
            return
        self._execute(now=now, total=total)

    def _list(self, due: QuerySet[Application]) -> None:
        self.stdout.write("application                           posting  due at  reason")
        for application, reason in with_reasons(due):
            assert application.purge_due_at is not None  # noqa: S101 - due implies scheduled
            self.stdout.write(
                f"  {application.pk}  {application.posting_id}  "
                f"{application.purge_due_at.isoformat()}  {reason or '-'}"
            )

    def _execute(self, *, now: datetime, total: int) -> None:
        """Sweeps what is due, one progress step per batch. Rerun-safe, like the sweep."""
        interactive = self.stdout.isatty()

        def show(done: int) -> None:
            # More may become due while it runs; the bar never overflows.
            line = progress_bar(min(done, total), total)
            if interactive:
                self.stdout.write(f"\r{line}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        show(0)
        report = purge.sweep(
            now=now, on_batch=lambda so_far: show(so_far.erased + so_far.failed + so_far.skipped)
        )
        if interactive:
            self.stdout.write("")
        summary = (
            f"Erased {report.erased}, failed {report.failed}, skipped {report.skipped} "
            "(held, no longer due, or waiting for the candidate's last email)."
        )
        if report.failed:
            self.stdout.write(self.style.WARNING(summary))
            raise CommandError(f"{report.failed} purge(s) failed; they are retried with backoff.")
        self.stdout.write(self.style.SUCCESS(summary))
