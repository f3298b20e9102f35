"""`python manage.py retention_report [--days N] [--now ISO8601]`: what retention will do soon.

Counts, ids, dates and postings only: no personal data, not even a hold's free-text reason.
Read-only.
"""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from recruitment.management.commands.purge_due import parse_now, with_reasons
from recruitment.models import Application, LegalHold, RetentionConsent


class Command(BaseCommand):
    help = (
        "Report upcoming purges (by day and reason), expiring consents, legal holds whose "
        "review is overdue and failing purges. Contains no personal data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=30, help="How far ahead to look (default 30)."
        )
        parser.add_argument("--now", help="Report as of this ISO 8601 time instead of now.")

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = max(options["days"], 0)
        now = parse_now(options["now"])
        until = now + timedelta(days=days)
        today = timezone.localdate(now)
        self.stdout.write(
            f"Retention report for {now.isoformat()} to {until.isoformat()} ({days} days)."
        )
        self._upcoming_purges(until=until, now=now)
        self._expiring_consents(now=now, until=until)
        self._overdue_holds(today=today)
        self._failing_purges()

    def _upcoming_purges(self, *, until: datetime, now: datetime) -> None:
        scheduled = Application.objects.filter(purge_due_at__lte=until).order_by("purge_due_at")
        by_day: Counter[tuple[date, str]] = Counter()
        overdue = 0
        for application, reason in with_reasons(scheduled):
            assert application.purge_due_at is not None  # noqa: S101 - filtered above
            by_day[(timezone.localdate(application.purge_due_at), reason or "-")] += 1
            overdue += application.purge_due_at <= now
        self.stdout.write("")
        self.stdout.write(f"Upcoming purges: {sum(by_day.values())} ({overdue} due already)")
        for (day, reason), count in sorted(by_day.items()):
            self.stdout.write(f"  {day.isoformat()}  {reason:<24} {count}")

    def _expiring_consents(self, *, now: datetime, until: datetime) -> None:
        expiring = list(
            RetentionConsent.objects.filter(
                confirmed_at__isnull=False,
                withdrawn_at__isnull=True,
                expires_at__gt=now,
                expires_at__lte=until,
            )
            .annotate(day=TruncDate("expires_at"))
            .values("day")
            .annotate(count=Count("pk"))
            .order_by("day")
        )
        self.stdout.write("")
        self.stdout.write(
            f"Consents expiring in the window: {sum(row['count'] for row in expiring)}"
        )
        for row in expiring:
            self.stdout.write(f"  {row['day'].isoformat()}  {row['count']}")

    def _overdue_holds(self, *, today: date) -> None:
        active = LegalHold.objects.filter(lifted_at__isnull=True)
        overdue = list(
            active.filter(review_at__lt=today)
            .select_related("application")
            .only("id", "review_at", "application__id", "application__posting")
            .order_by("review_at", "pk")
        )
        self.stdout.write("")
        self.stdout.write(f"Active legal holds: {active.count()}; reviews overdue: {len(overdue)}")
        for hold in overdue:
            self.stdout.write(
                f"  hold {hold.pk}  application {hold.application_id}  "
                f"posting {hold.application.posting_id}  review was due {hold.review_at} "
                f"({(today - hold.review_at).days} days ago)"
            )

    def _failing_purges(self) -> None:
        failing = list(
            Application.objects.filter(purge_failures__gt=0)
            .only("id", "posting", "purge_failures", "purge_last_error", "purge_due_at")
            .order_by("-purge_failures", "pk")
        )
        self.stdout.write("")
        self.stdout.write(f"Failing purges: {len(failing)}")
        for application in failing:
            next_attempt = application.purge_due_at.isoformat() if application.purge_due_at else "-"
            self.stdout.write(
                f"  application {application.pk}  posting {application.posting_id}  "
                f"failures {application.purge_failures}  last error "
                f"{application.purge_last_error or '-'}  next attempt {next_attempt}"
            )
