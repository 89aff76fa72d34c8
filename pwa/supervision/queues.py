"""Dashboard sections built on the families finder: families overdue a visit, and the two waiting queues.

Overdue is per family: no visit within the programme's window, counted from the later of
the family's last visit and its match's start (a match made today is not overdue today).
"""
from dataclasses import astuple
from datetime import date

import sqlalchemy as sa

from pwa.families import finder, listed
from pwa.models import User
from pwa.supervision.dashboard import SHOWN, Section, section


def _finder_section(key: str, title: str, template: str, criteria: finder.Criteria, coordinator: User,
                    today: date, empty: str) -> Section:
    """The queue's section: probed with the other sections' counts, and read only when it has families."""
    def fetch(limit: int, offset: int) -> list:
        return listed.find(coordinator, criteria, today, limit=limit, offset=offset).rows

    def then() -> Section:
        first = listed.find(coordinator, criteria, today, limit=SHOWN)  # the first lines and the count, in one select
        return Section(key, title, first.rows, template, empty=empty, total=first.total, fetch=fetch)

    return Section(key, title, [], template, empty=empty,
                   probe=(_queued, astuple(criteria), today, finder.reads(coordinator)), then=then)


def _queued(coordinator: User, criteria: tuple, today: date, reads: tuple) -> sa.Select:
    """The families in a queue, unordered: whether it has any is asked with the dashboard's counts."""
    return finder.filtered(coordinator, finder.Criteria(*criteria), today, matched=False)[0]


@section(30, "overdue")
def families_overdue(coordinator: User, today: date) -> Section:
    """Matched families with no visit within the programme's window, the longest without first."""
    days = coordinator.programme.overdue_days
    return _finder_section("overdue", f"Families without a visit in {days} days", "supervision/_overdue.html",
                           finder.Criteria(overdue=True, sort="last_visit"), coordinator, today,
                           "Every matched family has had a visit recently.")


@section(32, "referrals")
def awaiting_consent(coordinator: User, today: date) -> Section:
    """New referrals whose consent is not yet recorded, oldest first, with days waiting."""
    return _finder_section("referrals", "Referrals awaiting consent", "supervision/_waiting.html",
                           finder.Criteria(consent="none", sort="waiting"), coordinator, today,
                           "No referral is waiting for consent.")


@section(33, "awaiting")
def awaiting_match(coordinator: User, today: date) -> Section:
    """Families who have consented and have no mentor yet, longest waiting first."""
    return _finder_section("awaiting", "Consented families awaiting a match", "supervision/_waiting.html",
                           finder.Criteria(awaiting=True, sort="waiting"), coordinator, today,
                           "No consented family is waiting for a mentor.")
