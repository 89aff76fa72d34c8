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


@dataclass(frozen=True)
class Kind:
    """One kind of entry: who may send it, the family action it needs, how it is stored."""

    name: str
    roles: frozenset
    family_action: str
    store: Callable[[User, Family, MultiDict, uuid.UUID], Stored]
    states: Callable[[User, list], dict] | None = None


def form_errors(form) -> list[dict]:
    """A form's errors as {field, message}, named as the page names them."""
    if hasattr(form, "error_list"):
        return [{"field": f, "message": m} for f, m in form.error_list()]
    out = [{"field": "", "message": m} for m in form.form_errors]
    for field in form:
        out += [{"field": field.id, "message": f"{field.label.text}: {m}"} for m in field.errors]
    return out


def _store_visit(author: User, family: Family, formdata: MultiDict, client_uuid: uuid.UUID) -> Stored:
    from pwa.diary import services
    from pwa.diary.forms import VisitForm

    form = VisitForm(formdata=formdata, meta={"csrf": False})
    try:
        visit, created = services.submit_visit(author, family, form, client_uuid)
    except services.VisitInvalid as bad:
        raise Invalid(form_errors(bad.form)) from bad
    return Stored(created, url_for("diary.show_visit", visit_id=visit.id), "Saved in the diary")


def _store_concern(author: User, family: Family, formdata: MultiDict, client_uuid: uuid.UUID) -> Stored:
    from pwa.concerns import services
    from pwa.concerns.forms import ConcernForm

    form = ConcernForm(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        raise Invalid(form_errors(form))
    concern, created = services.submit_concern(author, family, form, client_uuid)
    states = _concern_states(author, [concern.client_uuid])
    return Stored(created, _concern_url(concern), states[str(concern.client_uuid)]["state"])


def _concern_url(concern) -> str:
    return url_for("concerns.show", concern_id=concern.id)


def _concern_states(author: User, client_uuids: list) -> dict:
    """What became of the author's concerns: alert email accepted? acknowledged? action taken?"""
    from pwa.concerns.status import deliveries

    concerns = access.concerns_sent_by(author, client_uuids)
    mail = deliveries([c.id for c in concerns])
    out = {}
    for c in concerns:
        delivery = mail.get(c.id)
        state = delivery.label if delivery else "Saved"
        if c.acknowledged_at:
            who = c.acknowledged_by.role.value.lower() if c.acknowledged_by else "social worker"
            state = f"Received by the {who} at {templating.hhmm(c.acknowledged_at)}"
        if c.action_taken_at:  # the note itself stays on the server: the phone keeps no case text
            state += f"; action taken at {templating.hhmm(c.action_taken_at)}"
        out[str(c.client_uuid)] = {"state": state, "url": _concern_url(c)}
    return out


KINDS: dict[str, Kind] = {
    "visit": Kind("visit", frozenset({Role.mentor}), "log_visit", _store_visit),
    "concern": Kind("concern", frozenset({Role.mentor}), "raise_concern", _store_concern, _concern_states),
}
SYNC_ROLES = tuple(sorted(set().union(*(k.roles for k in KINDS.values())), key=lambda r: r.name))
