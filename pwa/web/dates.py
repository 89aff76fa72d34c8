"""Dates typed into a query string: one reading, bounded so the arithmetic after it cannot overflow.

Python's calendar ends at 9999-12-31, so "the day after" or "a year before" a date at either edge
raises OverflowError deep inside a report. Every date a person can type into a filter is read here
and must fall between EARLIEST and LATEST, which leaves centuries of room for that arithmetic.
"""
import re
from datetime import date

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
_ISO_DAY = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def parse_day(text) -> date:
    """A YYYY-MM-DD date between EARLIEST and LATEST; ValueError for anything else."""
    if not isinstance(text, str) or not _ISO_DAY.match(text):
        raise ValueError("dates look like 2026-04-01")
    day = date.fromisoformat(text)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"dates fall between {EARLIEST} and {LATEST}")
    return day


def optional_day(text) -> date | None:
    """parse_day for a filter that may be left empty (None when it is)."""
    return parse_day(text) if text else None
