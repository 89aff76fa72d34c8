"""Test helpers for concerns: raise one through the real service, and the access matrix's objects."""
import uuid

from werkzeug.datastructures import MultiDict

from pwa.core.extensions import db
from pwa.models import Concern, Family, MailKind, MailStatus, OutboxMessage, User

CANARY_SEEN = "CANARY-SEEN Zanzibar kitchen knife under the stairs"
CANARY_WORDS = "CANARY-WORDS mummy's friend Quillfeather hurts me"
CANARY_ACTIONS = "CANARY-ACTIONS stayed with Marmaduke until his nan came"


def concern_form_data(urgency: str = "urgent", **overrides) -> dict:
    """What a mentor types into the concern form."""
    data = {"client_uuid": str(uuid.uuid4()), "urgency": urgency, "categories": ["neglect", "emotional"],
            "what_seen": CANARY_SEEN, "child_words": CANARY_WORDS, "actions_taken": CANARY_ACTIONS,
            "who_called": "", "called_at": ""}
    if urgency == "immediate":
        data.update(who_called="999 police", called_at="14:05")
    data.update(overrides)
    return data


def raise_concern(app, mentor: User, family: Family, **form) -> Concern:
    """Raise a concern through the service, commit it, and return it detached."""
    from pwa.concerns import services
    from pwa.concerns.forms import ConcernForm

    data = concern_form_data(**form)
    with app.test_request_context(method="POST"):  # a write: BEGIN IMMEDIATE, so it waits for a busy worker
        formdata = MultiDict([(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])])
        concern_form = ConcernForm(formdata=formdata, meta={"csrf": False})
        assert concern_form.validate(), concern_form.errors
        author, fam = db.session.get(User, mentor.id), db.session.get(Family, family.id)
        concern, _ = services.submit_concern(author, fam, concern_form, data["client_uuid"])
        db.session.commit()
        concern = db.session.get(Concern, concern.id)
        _ = concern.family, concern.debrief, concern.addenda, concern.marks
        db.session.expunge_all()
        db.session.remove()
    return concern


def add_to_concern(app, author: User, concern: Concern, facts: str = "CANARY-ADDENDUM more bruises"):
    """Add an addendum through the service and commit it."""
    from pwa.concerns import services
    from pwa.concerns.forms import AddendumForm

    client_uuid = str(uuid.uuid4())
    with app.test_request_context(method="POST"):
        form = AddendumForm(formdata=MultiDict({"client_uuid": client_uuid, "facts": facts}), meta={"csrf": False})
        assert form.validate(), form.errors
        addendum, _ = services.add_addendum(db.session.get(User, author.id), db.session.get(Concern, concern.id),
                                            form, client_uuid)
        db.session.commit()
        addendum_id = addendum.id
        db.session.remove()
    return addendum_id


def _dead_letter(concern: Concern) -> OutboxMessage:
    message = OutboxMessage(kind=MailKind.alert, recipient_rule="concern-alert", subject_id=concern.id,
                            subject=f"Safeguarding concern {concern.reference}", body_text="x",
                            status=MailStatus.dead, last_error="all recipients refused (550)")
    message.message_id = f"<test-{message.id}@bridge.test>"
    db.session.add(message)
    return message


def concerns_of(w) -> dict:
    """Per relation: a concern, its debrief task and a dead letter (made once per world)."""
    if getattr(w, "_concerns", None) is None:
        made = {}
        for rel, mentor, family in (("own", w.mentor, w.family), ("others", w.other_mentor, w.others_family),
                                    ("far", w.far_mentor, w.far_family)):
            concern = raise_concern(w.app, mentor, family)
            with w.app.app_context():
                dead = _dead_letter(concern)
                db.session.commit()
                made[rel] = {"concern": concern.id, "debrief": concern.debrief.id, "dead": dead.id}
                db.session.remove()
        w._concerns = made
    return w._concerns


def concern_id(w, rel):
    return concerns_of(w)[rel]["concern"]


def debrief_id(w, rel):
    return concerns_of(w)[rel]["debrief"]


def dead_letter_id(w, rel):
    return concerns_of(w)[rel]["dead"]
