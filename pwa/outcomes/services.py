"""Outcome frameworks (the default made on first use, others loaded from files) and readings. Flush only."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import (Family, OutcomeArea, OutcomeFramework, OutcomeReading, OutcomeScore, Programme,
                        ReadingOccasion, User)
from pwa.outcomes import loader
from pwa.outcomes.loader import AreaSpec, FrameworkFileError, FrameworkSpec


def _by_key(key: str) -> OutcomeFramework | None:
    return db.session.scalar(sa.select(OutcomeFramework).where(OutcomeFramework.key == key))


def spec_of(framework: OutcomeFramework) -> FrameworkSpec:
    """The loaded framework as a spec, to compare with a file."""
    areas = tuple(AreaSpec(a.key, a.name, a.description) for a in framework.areas)
    return FrameworkSpec(framework.key, framework.name, framework.description, framework.scale_min,
                         framework.scale_max, dict(framework.scale_labels or {}), areas)


def install(spec: FrameworkSpec, *, programme: Programme | None = None,
            builtin: bool = False) -> tuple[OutcomeFramework, bool]:
    """Store a checked framework once; loading the same file again changes nothing."""
    existing = _by_key(spec.key)
    if existing is not None:
        return _same(existing, spec, programme), False
    framework = OutcomeFramework(key=spec.key, name=spec.name, description=spec.description,
                                 scale_min=spec.scale_min, scale_max=spec.scale_max, scale_labels=spec.labels,
                                 programme_id=programme.id if programme else None, builtin=builtin)
    framework.areas = [OutcomeArea(position=i, key=a.key, name=a.name, description=a.description)
                       for i, a in enumerate(spec.areas)]
    try:
        with db.session.begin_nested():
            db.session.add(framework)
            db.session.flush()
    except IntegrityError:
        twin = _by_key(spec.key)
        if twin is None:
            raise
        return _same(twin, spec, programme), False
    audit.record(db.session, None, "outcome framework loaded", framework)
    return framework, True


def _same(existing: OutcomeFramework, spec: FrameworkSpec, programme: Programme | None) -> OutcomeFramework:
    if spec_of(existing) != spec or existing.programme_id != (programme.id if programme else None):
        raise FrameworkFileError([
            f"a framework with key '{spec.key}' is already loaded with different wording or for another "
            f"programme. Readings depend on its wording, so it is never changed: give the file a new key "
            f"(for example '{spec.key}-v2') to load it as a new version."])
    return existing


def default_framework() -> OutcomeFramework:
    """Bridge's own framework, stored on first use in every new database."""
    builtin = db.session.scalar(sa.select(OutcomeFramework).where(OutcomeFramework.builtin.is_(True))
                                .order_by(OutcomeFramework.loaded_at.desc()).limit(1))
    return builtin or install(loader.read(loader.BUILTIN), builtin=True)[0]


def framework_for(programme_id) -> OutcomeFramework:
    """The framework a programme uses: its own newest, else the newest loaded for all, else Bridge's."""
    q = (sa.select(OutcomeFramework)
         .where(OutcomeFramework.builtin.is_(False),
                sa.or_(OutcomeFramework.programme_id == programme_id, OutcomeFramework.programme_id.is_(None)))
         .order_by(OutcomeFramework.programme_id.is_(None), OutcomeFramework.loaded_at.desc()).limit(1))
    return db.session.scalar(q) or default_framework()


def frameworks_by_id(ids) -> dict:
    """Frameworks with their areas, by id."""
    if not ids:
        return {}
    return {f.id: f for f in db.session.scalars(sa.select(OutcomeFramework).where(OutcomeFramework.id.in_(ids)))}


def record_reading(actor: User, family: Family, framework: OutcomeFramework, *, taken_on: date,
                   occasion: ReadingOccasion, scores: dict, note: str | None) -> OutcomeReading:
    """Record a reading: `scores` maps an area id to (family's score, mentor's score), either may be None."""
    kept = {area_id: pair for area_id, pair in scores.items() if any(v is not None for v in pair)}
    areas = {a.id for a in framework.areas}
    if not kept or not set(kept) <= areas:
        raise ValueError("a reading needs at least one score, in the framework's own areas")
    for value in (v for pair in kept.values() for v in pair if v is not None):
        if not framework.scale_min <= value <= framework.scale_max:
            raise ValueError(f"score {value} is off the scale")
    reading = OutcomeReading(family_id=family.id, framework_id=framework.id, taken_on=taken_on, occasion=occasion,
                             note=(note or "").strip() or None, recorded_by_id=actor.id)
    reading.scores = [OutcomeScore(area_id=a, family_score=f, mentor_score=m) for a, (f, m) in kept.items()]
    db.session.add(reading)
    db.session.flush()
    audit.record(db.session, actor, "outcome reading recorded", reading)
    return reading
