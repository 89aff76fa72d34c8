"""Seed step for concerns: `spec.concerns` raised by mentors on their families over a year.

Each has one category and a debrief task. All are acknowledged except the newest 1%, which
escalated once and next escalate in half an hour (so the worker has nothing overdue to send
during a run); none has an outbox message, as if every alert had long been delivered.
"""
import hashlib
import uuid
from datetime import timedelta

from bench.seed import SeedContext

WHAT_SEEN = ("When I arrived the front door was open and the youngest was alone in the front room; mum came "
             "back ten minutes later and said she had gone to the shop.")
CHILD_WORDS = "\"Mummy goes out when the baby is asleep.\""


def available() -> bool:
    """The concern models exist."""
    import pwa.models as models

    return all(hasattr(models, name) for name in ("Concern", "ConcernCategoryMark", "DebriefTask"))


def seed(ctx: SeedContext) -> None:
    """Concerns spread over the active matches, oldest a year ago."""
    from pwa.core import clock
    from pwa.models import ConcernCategory, Urgency

    active = [m for m in ctx.matches if m[3]]
    sw_of = {f: sw for f, p, sw, stage in ctx.families}
    coordinator_of = {f: ctx.people[(p, "coordinator")][0] for f, p, sw, stage in ctx.families}
    now, urgencies, categories = clock.now(), list(Urgency), list(ConcernCategory)
    for n in range(ctx.spec.concerns if active else 0):
        match_id, family_id, mentor, _ = active[n % len(active)]
        raised = now - timedelta(hours=1 + (ctx.spec.concerns - n) * 24 * 365 // max(1, ctx.spec.concerns))
        waiting = n >= ctx.spec.concerns - max(1, ctx.spec.concerns // 100)
        _concern(ctx, n, family_id, mentor, (sw_of[family_id], coordinator_of[family_id]), raised,
                 urgencies[n % 3], categories[n % len(categories)], waiting)
    ctx.commit()


def _concern(ctx, n, family_id, mentor, staff, raised, urgency, category, waiting) -> None:
    from pwa.core import clock
    from pwa.models import Concern, ConcernCategoryMark, DebriefTask, Urgency

    social_worker, coordinator = staff
    client_uuid, acknowledged = uuid.uuid4(), not waiting
    concern = Concern(family_id=family_id, author_id=mentor, urgency=urgency, created_at=raised,
                      client_uuid=client_uuid, body_hash=hashlib.sha256(client_uuid.bytes).hexdigest(),
                      what_seen=WHAT_SEEN, child_words=CHILD_WORDS, actions_taken="Stayed until mum came back.")
    if urgency is Urgency.immediate:
        concern.who_called, concern.called_at = "999 (police)", raised - timedelta(minutes=5)
    if acknowledged:
        concern.acknowledged_at, concern.acknowledged_by_id = raised + timedelta(minutes=12), social_worker
    else:
        concern.next_escalation_at, concern.escalations = clock.now() + timedelta(minutes=30), 1
    concern_id = ctx.add(concern)
    ctx.add(ConcernCategoryMark(concern_id=concern_id, category=category))
    task = DebriefTask(concern_id=concern_id, mentor_id=mentor, created_at=raised)
    if acknowledged:
        task.done_at, task.done_by_id = raised + timedelta(days=1), coordinator
        task.note = "Talked it through by phone; mentor is fine and knows what to do next time."
    ctx.add(task)
