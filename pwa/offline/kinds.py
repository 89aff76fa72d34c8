"""What an outbox entry can be: a visit or a concern, stored through the web form's own path.

Each kind validates the opened fields with the same form class as the web
form and stores them with the same service, under the entry's UUID.
"""
import uuid
from dataclasses import dataclass
from typing import Callable

from flask import url_for
from werkzeug.datastructures import MultiDict

from pwa import access
from pwa.web import templating
from pwa.models import Family, Role, User


class Invalid(Exception):
    """The entry did not validate; `errors` is a list of {field, message}."""

    def __init__(self, errors: list[dict]):
        super().__init__("the entry has errors")
        self.errors = errors


@dataclass(frozen=True)
class Stored:
    """A stored (or already stored) entry: where to see it and what became of it."""

    created: bool
    url: str
    state: str
    record_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Kind:
    """One kind of entry: who may send it, the family action it needs, how it is stored."""

    name: str
    roles: frozenset
    family_action: str
    store: Callable[[User, Family, MultiDict, uuid.UUID], Stored]
    states: Callable[[User, list], dict] | None = None


def short_label(text: str) -> str:
    """A field's name without its hint: 'What kind of concern is it? Tick all that apply.' -> '…is it?'."""
    text = str(text).strip()
    cut = min((i for i in (text.find("?"), text.find(". ")) if i >= 0), default=-1)
    return text[:cut + 1].rstrip(".") if cut >= 0 else text.rstrip(".")


def form_errors(form) -> list[dict]:
    """A form's errors as {field, label, message}: each read once, the label never inside the message."""
    out = [{"field": "", "label": "", "message": m} for m in form.form_errors]
    titles = getattr(form, "goal_titles", {})
    for field in form:
        if hasattr(field, "entries"):  # a list of sub-forms (a visit's goals): name each by its title
            out += [_error(field.id, "Goals", m) for m in field.errors if isinstance(m, str)]
            for entry in field:
                title = titles.get(getattr(entry, "goal_id", None) and entry.goal_id.data, "Goal")
                out += [_error(sub.id, f"{title}: {short_label(sub.label.text)}", m)
                        for sub in entry for m in sub.errors]
        else:
            out += [_error(field.id, short_label(field.label.text), m) for m in field.errors]
    return out


def _error(field: str, label: str, message: str) -> dict:
    return {"field": field, "label": label, "message": message}


def _store_visit(author: User, family: Family, formdata: MultiDict, client_uuid: uuid.UUID) -> Stored:
    from pwa.diary import services
    from pwa.diary.forms import VisitForm

    form = VisitForm(formdata=formdata, meta={"csrf": False})
    try:
        visit, created = services.submit_visit(author, family, form, client_uuid)
    except services.VisitInvalid as bad:
        raise Invalid(form_errors(bad.form)) from bad
    return Stored(created, url_for("diary.show_visit", visit_id=visit.id), VISIT_STATE, visit.id)


def _store_concern(author: User, family: Family, formdata: MultiDict, client_uuid: uuid.UUID) -> Stored:
    """Validate with the web form and raise it with the same service: only no words at all refuses."""
    from pwa.concerns import services
    from pwa.concerns.forms import ConcernForm

    form = ConcernForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise Invalid(form_errors(form))
    concern, created = services.raise_concern(author, family, form.concern_data(), client_uuid)
    return Stored(created, _concern_url(concern), concern_state(concern), concern.id)


def _concern_url(concern) -> str:
    return url_for("concerns.show", concern_id=concern.id)


def concern_state(concern) -> str:
    """Where a concern stands, in the words the phone shows."""
    from pwa.concerns.status import deliveries

    delivery = deliveries([concern.id]).get(concern.id)
    return _state_words(concern, delivery)


def _state_words(concern, delivery) -> str:
    state = delivery.label if delivery else "Saved"
    if concern.acknowledged_at:
        who = concern.acknowledged_by.role.value.lower() if concern.acknowledged_by else "social worker"
        state = f"Received by the {who} at {templating.hhmm(concern.acknowledged_at)}"
    if concern.action_taken_at:  # the note itself stays on the server: the phone keeps no case text
        state += f"; action taken at {templating.hhmm(concern.action_taken_at)}"
    return state


def _concern_states(author: User, client_uuids: list) -> dict:
    """What became of the author's concerns: alert email accepted? acknowledged? action taken?"""
    from pwa.concerns.status import deliveries

    concerns = access.concerns_sent_by(author, client_uuids)
    mail = deliveries([c.id for c in concerns])
    return {str(c.client_uuid): {"state": _state_words(c, mail.get(c.id)), "url": _concern_url(c), "held": False,
                                 "kind": "concern"} for c in concerns}


def _visit_states(author: User, client_uuids: list) -> dict:
    """The author's visits stored under these UUIDs: saved in the diary."""
    return {str(v.client_uuid): {"state": VISIT_STATE, "url": url_for("diary.show_visit", visit_id=v.id),
                                 "held": False, "kind": "visit"} for v in access.visits_sent_by(author, client_uuids)}


VISIT_STATE = "Saved in the diary"
KINDS: dict[str, Kind] = {
    "visit": Kind("visit", frozenset({Role.mentor}), "log_visit", _store_visit, _visit_states),
    "concern": Kind("concern", frozenset({Role.mentor}), "raise_concern", _store_concern, _concern_states),
}
SYNC_ROLES = tuple(sorted(set().union(*(k.roles for k in KINDS.values())), key=lambda r: r.name))
