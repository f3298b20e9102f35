"""Calendar arithmetic the domain needs, in the jurisdiction's local calendar (kept here so
retention, consents and request deadlines agree).

Legal periods run in local calendar days and months (settings.TIME_ZONE, the jurisdiction's
zone): a request received at 23:30 in Belgrade was received that day, not the next day in
UTC, and a consent given at 00:30 on 1 March was given in March. Adding days or months to a
UTC instant gets both wrong by a day near midnight, and by an hour across daylight-saving
changes, so every function here converts to local time first.
"""

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole local calendar months, at the same local time of day, clamped to
    the month's last day: 31 January plus one month is 28 or 29 February, never 3 March.

    Returns an aware datetime in the local zone (an instant like any other)."""
    local = timezone.localtime(moment)
    month_index = local.month - 1 + months
    year = local.year + month_index // 12
    month = month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    # Re-localised: the UTC offset of the new date may differ (daylight saving).
    naive = local.replace(tzinfo=None, year=year, month=month, day=day)
    return timezone.make_aware(naive)


def end_of_local_day(day: date) -> datetime:
    """The last instant of local calendar day `day` (a period that ends on that day
    includes all of it)."""
    return timezone.make_aware(datetime.combine(day, time.max))


def start_of_local_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def local_days_after(moment: datetime, days: int) -> datetime:
    """The end of the local day `days` calendar days after the local day of `moment`:
    a 30-day deadline for something received at any time on 1 June ends with 1 July."""
    return end_of_local_day(timezone.localdate(moment) + timedelta(days=days))


def local_days_between(earlier: datetime, later: datetime) -> int:
    """Local calendar days from the day of `earlier` to the day of `later`."""
    return (timezone.localdate(later) - timezone.localdate(earlier)).days


def local_date_text(moment: datetime, fmt: str = "DATE_FORMAT") -> str:
    """`moment` as the local calendar shows it, in the active language's format (templates'
    `|date` filter converts by itself; Python code must do it here)."""
    return date_format(timezone.localtime(moment), fmt)
