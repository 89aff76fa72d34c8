"""Matching mentors to families and carrying the match through its stages. Flush only."""
from datetime import date, timedelta

import sqlalchemy as sa

from pwa.core import audit, clock
from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.matches import notices
from pwa.models import EndingReason, Family, Match, MatchExtension, MatchReview, Role, Stage, User

DEFAULT_MONTHS = 6


class MatchRefused(Exception):
    """The match cannot be made; the message says why, for the coordinator."""


def record_readiness(actor: User, mentor: User, *, dbs: date | None, trained: date | None, inducted: date | None) -> None:
    """Record a mentor's vetting, training and induction dates."""
    mentor.dbs_checked_on, mentor.cp_trained_on, mentor.inducted_on = dbs, trained, inducted
    audit.record(db.session, actor, "readiness recorded", mentor)
    db.session.flush()


def record_profile(actor: User, mentor: User, *, languages: str | None, area: str | None) -> None:
    """Record (or clear) the languages a mentor speaks and the area they cover, for matching."""
    from pwa.models import MentorProfile

    profile = db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == mentor.id))
    if profile is None:
        profile = MentorProfile(user_id=mentor.id)
        db.session.add(profile)
    profile.languages, profile.area = (languages or "").strip() or None, (area or "").strip() or None
    db.session.flush()
    audit.record(db.session, actor, "mentor profile recorded", profile)


def refusal_reasons(family: Family, mentor: User, on: date) -> list[str]:
    """Everything that stops this match, in plain words (empty when it may go ahead)."""
    reasons = []
    if not family.has_consent:
        reasons.append("the family's consent has not been recorded")
    if mentor.role is not Role.mentor or not mentor.active:
        reasons.append("that person is not an active mentor")
    elif mentor.programme_id != family.programme_id:
        reasons.append("the mentor belongs to another programme")
    else:
        reasons.extend(f"mentor: {gap}" for gap in mentor.readiness_gaps(on))
    active = sa.select(Match.id).where(Match.family_id == family.id, Match.is_active())
    if db.session.scalar(active):
        reasons.append("the family already has an active match")
    return reasons


def create_match(actor: User, family: Family, mentor: User, started_on: date, agreed_end_on: date | None) -> Match:
    """Match a ready mentor to a consenting family, or raise MatchRefused."""
    reasons = refusal_reasons(family, mentor, started_on)
    agreed_end_on = agreed_end_on or add_months(started_on, DEFAULT_MONTHS)
    if agreed_end_on <= started_on:
        reasons.append("the agreed end must be after the start")
    if reasons:
        raise MatchRefused("Cannot match: " + "; ".join(reasons) + ".")
    match = Match(family_id=family.id, mentor_id=mentor.id, matched_by_id=actor.id, started_on=started_on,
                  agreed_end_on=agreed_end_on, stage=Stage.matching,
                  next_review_on=started_on + timedelta(weeks=family_programme(family).review_interval_weeks))
    family.stage = Stage.matching
    db.session.add(match)
    db.session.flush()
    audit.record(db.session, actor, "match made", match)
    notices.matched(family, match)
    return match


def family_programme(family: Family):
    """The family's programme."""
    from pwa.models import Programme

    return db.session.get(Programme, family.programme_id)


def start_support(actor: User, match: Match) -> None:
    """Introductions done: the match moves from Matching to Support."""
    match.stage = match.family.stage = Stage.support
    match.support_started_at = clock.now()
    audit.record(db.session, actor, "support started", match)
    db.session.flush()


def record_review(actor: User, match: Match, *, held_on: date, notes: str, next_review_on: date | None) -> MatchReview:
    """Record a review and set when the next one falls due."""
    interval = family_programme(match.family).review_interval_weeks
    next_review_on = next_review_on or held_on + timedelta(weeks=interval)
    review = MatchReview(match_id=match.id, held_on=held_on, notes=notes.strip(), next_review_on=next_review_on,
                         recorded_by_id=actor.id)
    match.next_review_on = next_review_on
    db.session.add(review)
    db.session.flush()
    audit.record(db.session, actor, "review recorded", review)
    return review


def extend_match(actor: User, match: Match, *, new_end_on: date, reason: str) -> MatchExtension:
    """Decide explicitly to go past the agreed end: new date, reason, who, when."""
    if new_end_on <= match.agreed_end_on:
        raise MatchRefused("The new end date must be after the current agreed end.")
    extension = MatchExtension(match_id=match.id, previous_end_on=match.agreed_end_on, new_end_on=new_end_on,
                               reason=reason.strip(), decided_by_id=actor.id, decided_at=clock.now())
    match.agreed_end_on = new_end_on
    db.session.add(extension)
    db.session.flush()
    audit.record(db.session, actor, "match extended", extension)
    notices.extended(match.family, match, extension.previous_end_on)
    return extension


def end_match(actor: User, match: Match, *, ended_on: date, reason: EndingReason, summary: str) -> None:
    """End the match with a summary; the family moves to Ending."""
    if ended_on < match.started_on:
        raise MatchRefused("The match cannot end before it started.")
    match.ended_on, match.ending_reason, match.ending_summary = ended_on, reason, summary.strip()
    match.stage = match.family.stage = Stage.ending
    match.next_review_on = None
    audit.record(db.session, actor, "match ended", match)
    db.session.flush()
    notices.ended(match.family, match)
