"""The retention schedule: how long each type of record is kept after a family's case is closed.

The defaults are this one table; a programme may store its own years (and, for concerns, age) per
record type (RetentionOverride, `flask --app wsgi retention set`). An open case is never due.

- concerns (concerns, addenda, their category marks, the children they name, debriefs, their alert and
  escalation emails, and concerns held from a phone) are kept longest: until the youngest child's 25th
  birthday (an unborn child counts from its expected date; with no date known, as if born on the
  closure date), and never less than the years after closure;
- visits (diary entries, the children seen, progress marks, reviews, talk requests, held visits),
  goals, readings (outcome readings and their scores) and matches (reviews, extensions): a fixed number
  of years after closure; a match goes no earlier than the diary entries that point at it;
- family: the record itself (names, address, children, plan details, people, consent, closures,
  holds, the search index, the notices about it) goes with the last of the family's other records.
Bridge stores no documents: the report pack is drawn on demand from these records.
"""
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa

from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.models import RetentionOverride


@dataclass(frozen=True)
class Rule:
    """One record type's rule: years after closure, and (concerns) the youngest child's age as well."""

    kind: str
    label: str
    years: int
    until_age: int | None = None
    after: tuple[str, ...] = ()  # types that must go first (their rows point at this one's)
    overridden: bool = False

    @property
    def words(self) -> str:
        """The rule as the report and the audit trail say it."""
        if self.kind == "family":
            return f"with the family's last record, at least {self.years} years after closure"
        years = f"{self.years} years after closure"
        return f"until the youngest child is {self.until_age}, at least {years}" if self.until_age else years


DEFAULTS: dict[str, Rule] = {rule.kind: rule for rule in (
    Rule("concerns", "Safeguarding concerns, addenda, debriefs and their alerts", 6, until_age=25),
    Rule("visits", "Diary entries, their reviews and progress marks", 6),
    Rule("goals", "Goals", 6),
    Rule("readings", "Outcome readings (journey of change)", 6),
    Rule("matches", "Matches, reviews and extensions", 6, after=("visits",)),
    Rule("family", "The family's record: names, children, plan, people, consent, closures", 6,
         after=("concerns", "visits", "goals", "readings", "matches")),
)}
KINDS = tuple(DEFAULTS)


def schedule(programme_id) -> dict[str, Rule]:
    """The programme's rules: the defaults with its stored overrides applied."""
    rules = dict(DEFAULTS)
    for o in db.session.scalars(sa.select(RetentionOverride).where(RetentionOverride.programme_id == programme_id)):
        if o.kind in rules:
            age = o.until_age if rules[o.kind].until_age else None
            rules[o.kind] = replace(rules[o.kind], years=o.years, until_age=age or rules[o.kind].until_age,
                                    overridden=True)
    return rules


def set_override(programme_id, kind: str, years: int, until_age: int | None = None) -> None:
    """Store a programme's own rule for one record type (flush only)."""
    if kind not in DEFAULTS:
        raise ValueError(f"unknown record type {kind!r}; one of {', '.join(KINDS)}")
    found = db.session.scalar(sa.select(RetentionOverride).where(RetentionOverride.programme_id == programme_id,
                                                                RetentionOverride.kind == kind))
    if found is None:
        found = RetentionOverride(programme_id=programme_id, kind=kind)
        db.session.add(found)
    found.years, found.until_age = years, until_age
    db.session.flush()


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    return add_months(day, 12 * years)


def due_dates(rules: dict[str, Rule], closed_on: date, youngest: date | None) -> dict[str, date]:
    """When each record type of a family closed on `closed_on` falls due for deletion."""
    due = {}
    for kind, rule in rules.items():
        when = add_years(closed_on, rule.years)
        if rule.until_age:
            when = max(when, add_years(youngest or closed_on, rule.until_age))
        due[kind] = when
    for kind, rule in rules.items():  # `after` names types defined before it in the table
        due[kind] = max([due[kind], *(due[k] for k in rule.after)])
    return due
