"""Calendar arithmetic."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day (31/01 + 1 → 28/02)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(performed_on: dt.date, interval_months: int) -> dt.date:
    """Last day of validity of a certificate issued on ``performed_on`` for ``interval_months``."""
    return add_months(performed_on, interval_months) - dt.timedelta(days=1)


DUE_SOON_DAYS = 30


def due_status(due_on: dt.date | None, on: dt.date) -> str:
    """A due date's status on ``on``: unknown (none), overdue (before ``on``), due (within 30 days), valid."""
    if due_on is None:
        return "unknown"
    if due_on < on:
        return "overdue"
    if due_on <= on + dt.timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "valid"
