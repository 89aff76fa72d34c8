"""Calendar arithmetic the domain needs."""
import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the month's last day."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
