"""A concern as plain, validated data: what the service stores, whoever sent it (page or phone).

Safety comes before tidiness: a concern needs a family and some words, nothing
else. Every other detail may be missing or unreadable; the concern is still
stored and alerted, and what is missing is marked so the debrief asks for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from pwa.models import ConcernCategory, Urgency
from pwa.core import clock

# What may be missing, in the order a person reads it, and how to say it.
MISSING = {
    "urgency": "how urgent it is",
    "categories": "what kind of concern it is",
    "who_called": "who was called",
    "called_at": "when",
}
ASSUMED_URGENCY = Urgency.urgent  # when it was not given: alerted fast, without claiming a 999 call


def missing_phrase(keys) -> str:
    """'who was called, when' for the keys marked missing."""
    return ", ".join(MISSING[k] for k in MISSING if k in set(keys))


@dataclass(frozen=True)
class ConcernData:
    """What the person wrote and chose; None (or empty) where they gave nothing readable."""

    what_seen: str
    urgency: Urgency | None = None
    categories: tuple[ConcernCategory, ...] = ()
    child_words: str | None = None
    actions_taken: str | None = None
    who_called: str | None = None
    called_at: time | None = None  # a time of day on the person's clock, as typed
    unreadable: tuple[str, ...] = ()  # given, but not something Bridge could read (marked missing too)
    children: tuple[str, ...] = ()  # ids of the family's children it is about (unknown ids are dropped when stored)
    not_one_child: bool = False  # about the whole family, or a child not listed

    @property
    def stored_urgency(self) -> Urgency:
        """The urgency to alert and escalate by."""
        return self.urgency or ASSUMED_URGENCY

    def missing(self) -> tuple[str, ...]:
        """The MISSING keys this concern lacks, in reading order."""
        lacks = set(self.unreadable)
        if self.urgency is None:
            lacks.add("urgency")
        if not self.categories:
            lacks.add("categories")
        if self.urgency is Urgency.immediate or self.who_called or self.called_at:
            if not self.who_called:
                lacks.add("who_called")
            if self.called_at is None:
                lacks.add("called_at")
        return tuple(k for k in MISSING if k in lacks)

    def canonical(self) -> dict:
        """The submission as plain values, as typed: what the idempotency hash covers."""
        return {
            "urgency": self.urgency.name if self.urgency else None,
            "categories": sorted(c.name for c in set(self.categories)),
            "what_seen": self.what_seen,
            "child_words": self.child_words,
            "actions_taken": self.actions_taken,
            "who_called": self.who_called,
            "called_at": self.called_at.strftime("%H:%M") if self.called_at else None,
            "children": sorted(set(self.children)),
            "not_one_child": self.not_one_child,
        }

    def called_at_utc(self, now: datetime) -> datetime | None:
        """When the call was made, as UTC: today at that time (UK time), or yesterday if that is later than now."""
        return local_call_time(self.called_at, now) if self.called_at else None


def local_call_time(value: time, now: datetime) -> datetime:
    """A time of day today (UK time) as UTC; a time later than now means yesterday."""
    zone = clock.zone()
    local_now = now.astimezone(zone)
    at = datetime.combine(local_now.date(), value, tzinfo=zone)
    if at > local_now + timedelta(minutes=5):
        at -= timedelta(days=1)
    return at.astimezone(now.tzinfo)
