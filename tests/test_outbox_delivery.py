"""The outbox in one process: one claim at a time, alerts first, rules and jobs declared by register(app)."""
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import MailKind, OutboxMessage
from pwa.outbox import delivery, mailer, rules
from tests.support.concern_fixtures import deliver, parsed
from tests.support.concern_world import raise_concern


def _queue_digests(app, n: int) -> None:
    with app.app_context():
        for i in range(n):
            mailer.queue_email(MailKind.digest, f"coordinator{i}@example.org", f"Digest {i}",
                               f"Counts only. Open Bridge: http://bridge.test/dashboard?{i}\n")
        db.session.commit()
        db.session.remove()


def test_a_claim_leases_one_message_and_leaves_the_rest_free(app, canaries):
    for _ in range(3):
        raise_concern(app, canaries.mentor, canaries.family)
    with app.app_context():
        claim, wait = delivery.claim_next()
        leased = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.lease_until.is_not(None))).all()
        assert claim is not None and wait == 0.0
        assert [m.id for m in leased] == [claim.id] and leased[0].attempts == 1
        db.session.remove()


def test_the_last_outcome_is_committed_with_the_claim_that_finds_nothing(app, canaries, mail_to):
    raise_concern(app, canaries.mentor, canaries.family)
    with app.app_context():
        claim, _ = delivery.claim_next()
        outcome = delivery.attempt(claim)
        nothing, wait = delivery.claim_next([(claim, outcome)])
        assert nothing is None and wait > 0
        db.session.remove()
    with app.app_context():
        row = db.session.get(OutboxMessage, claim.id)
        assert row.status.name == "sent" and row.lease_until is None
        db.session.remove()


def test_alerts_go_before_a_queue_of_other_mail(app, canaries, mail_to):
    _queue_digests(app, 5)
    concern = raise_concern(app, canaries.mentor, canaries.family)
    assert deliver(app) == 6
    received = mail_to.wait_for(6)
    assert str(parsed(received[0])["Subject"]).startswith(f"Safeguarding concern {concern.reference}")


def test_features_declare_their_rules_and_jobs_when_the_app_is_built(app):
    registry = rules.registry(app)
    assert set(registry.rules) >= {"concern-alert", "concern-escalation"}
    assert registry.rules["concern-alert"].on_dead is not None
    assert set(registry.jobs) >= {"escalations", "reminders", "sessions"}


def test_escalations_never_wait_behind_a_slow_job(app, monkeypatch):
    """The worker runs slow jobs (drawing report packs) in a thread of their own: the escalations' thread skips them."""
    import dataclasses

    from pwa.outbox.worker import Worker

    ran = []
    jobs = rules.registry(app).jobs
    assert jobs["report-packs"].slow and not jobs["escalations"].slow
    for name, job in list(jobs.items()):
        monkeypatch.setitem(jobs, name, dataclasses.replace(job, task=lambda name=name: ran.append(name)))
    worker = Worker(app)
    with app.app_context():
        worker.run_jobs(slow=False)
        assert "escalations" in ran and "report-packs" not in ran
        ran.clear()
        worker.run_jobs(slow=True)
    assert ran == ["report-packs"]
