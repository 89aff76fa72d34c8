"""What the retention schedule would delete and when (the dry-run report), and the deletion itself.

`plan` and `run` share one definition: `run` deletes exactly the items `plan` marks due today. Only a
closed family with no legal hold in force has anything due. Each family is deleted in its own
transaction, its row locked first, so several workers running the job at once delete it once.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from pwa.closure import rules, sweep
from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import Child, Family, LegalHold, PreparedPack, RetentionDeletion


@dataclass(frozen=True)
class Planned:
    """One record type of one closed family, with how many records it holds and when they go."""

    family_id: object
    reference: str
    programme_id: object
    kind: str
    rows: int
    due_on: date
    rule: rules.Rule
    held: bool

    def due(self, today: date) -> bool:
        """Deleted by a run today."""
        return not self.held and self.due_on <= today


def held_families(ids) -> set:
    """The families among these with a legal hold in force."""
    if not ids:
        return set()
    q = sa.select(LegalHold.family_id).where(LegalHold.family_id.in_(ids), LegalHold.lifted_at.is_(None))
    return set(db.session.scalars(q))


def _youngest(ids) -> dict:
    born = sa.func.max(sa.func.coalesce(Child.date_of_birth, Child.expected_on))
    q = (sa.select(Child.family_id, born).where(Child.family_id.in_(ids), Child.removed_at.is_(None))
         .group_by(Child.family_id))
    return dict(db.session.execute(q).all())


def _counts(ids) -> dict:
    """(family id, kind) -> records left, one grouped query per type."""
    out = {}
    for kind, model in sweep.COUNTED.items():
        column = model.id if model is Family else model.family_id
        q = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
        out.update({(fid, kind): n for fid, n in db.session.execute(q)})
    return out


def plan(programme_id=None, family_id=None) -> list[Planned]:
    """Every record type left of every closed family (one programme's, or one family), soonest due first."""
    q = sa.select(Family.id, Family.reference, Family.programme_id, Family.closed_on).where(
        Family.closed_on.is_not(None))
    if programme_id is not None:
        q = q.where(Family.programme_id == programme_id)
    if family_id is not None:
        q = q.where(Family.id == family_id)
    families = db.session.execute(q).all()
    ids = [f.id for f in families]
    if not ids:
        return []
    youngest, counts, held, schedules = _youngest(ids), _counts(ids), held_families(ids), {}
    out = []
    for f in families:
        schedule = schedules.setdefault(f.programme_id, rules.schedule(f.programme_id))
        due = rules.due_dates(schedule, f.closed_on, youngest.get(f.id))
        out += [Planned(f.id, f.reference, f.programme_id, kind, counts[f.id, kind], due[kind], schedule[kind],
                        f.id in held) for kind in rules.KINDS if counts.get((f.id, kind))]
    return sorted(out, key=lambda p: (p.due_on, p.reference, rules.KINDS.index(p.kind)))


def due(today: date, programme_id=None) -> list[Planned]:
    """What a run today deletes."""
    return [p for p in plan(programme_id) if p.due(today)]


def run(today: date | None = None, programme_id=None, actor=None) -> list[RetentionDeletion]:
    """Delete what is due, one family per transaction (committed here); what went, as logged."""
    today = today or clock.today()
    by_family = defaultdict(list)
    for item in due(today, programme_id):
        by_family[item.family_id].append(item)
    if not by_family:
        return []
    db.session.commit()  # the plan's reads end here: each family starts its own transaction
    done = []
    for family_id, items in by_family.items():
        done += _delete_family_items(family_id, items, today, actor)
        db.session.commit()
    return done


def _delete_family_items(family_id, items: list[Planned], today: date, actor) -> list[RetentionDeletion]:
    """Lock the family, check again that it is closed and not held, and delete its due types in order."""
    locked = db.session.execute(sa.select(Family.id, Family.closed_on).where(Family.id == family_id)
                                .with_for_update()).first()
    if locked is None or locked.closed_on is None or held_families([family_id]):
        return []
    db.session.execute(sa.delete(PreparedPack.__table__).where(PreparedPack.family_id == family_id))  # drew on them
    done = []
    for item in sorted(items, key=lambda p: rules.KINDS.index(p.kind)):
        gone = sweep.DELETERS[item.kind](family_id)
        if not gone:  # another worker got here first
            continue
        logged = RetentionDeletion(family_id=family_id, programme_id=item.programme_id, kind=item.kind,
                                   rule=f"{item.kind}: {item.rule.words}"[:120], rows=gone, due_on=item.due_on,
                                   deleted_at=clock.now())
        db.session.add(logged)
        db.session.flush()
        audit.record(db.session, actor, f"deleted by retention: {item.kind}", logged)
        done.append(logged)
    return done
