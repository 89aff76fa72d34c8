"""Reporting periods councils use: the UK financial year (1 April to 31 March) and its quarters."""
from dataclasses import dataclass
from datetime import date, timedelta

from pwa.core.dates import add_months


@dataclass(frozen=True)
class Named:
    key: str
    label: str
    start: date
    end: date


def financial_year_of(day: date) -> int:
    """The year a financial year starts in: 2026 for 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(year: int) -> Named:
    """Financial year `year`/`year + 1`."""
    return Named(f"fy{year}", f"{year}/{str(year + 1)[-2:]}", date(year, 4, 1), date(year + 1, 3, 31))


def quarter(year: int, number: int) -> Named:
    """Quarter 1 (April to June) to 4 (January to March) of a financial year."""
    start = add_months(date(year, 4, 1), 3 * (number - 1))
    return Named(f"fy{year}q{number}", f"Q{number} {year}/{str(year + 1)[-2:]}", start,
                 add_months(start, 3) - timedelta(days=1))


def choices(today: date) -> list[Named]:
    """This financial year, its quarters so far, and the last financial year with its quarters."""
    this = financial_year_of(today)
    out = [financial_year(this)] + [quarter(this, q) for q in range(1, 5) if quarter(this, q).start <= today]
    return out + [financial_year(this - 1)] + [quarter(this - 1, q) for q in range(1, 5)]


def named(key: str | None, today: date) -> Named | None:
    """The period a key such as 'fy2026' or 'fy2026q3' names, or None."""
    if not key or not key.startswith("fy"):
        return None
    year, _, number = key[2:].partition("q")
    try:
        year_n = int(year)
        if number:
            return quarter(year_n, int(number)) if int(number) in (1, 2, 3, 4) else None
        return financial_year(year_n)
    except ValueError:
        return None
