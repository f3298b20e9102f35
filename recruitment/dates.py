"""Calendar arithmetic the domain needs (kept here so retention and consent agree)."""

import calendar
from datetime import datetime


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, clamped to the month's last day.

    31 January plus one month is 28 or 29 February, never 3 March.
    """
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
