"""A held entry's fields, named as its form names them, for the coordinator to read."""
from importlib import import_module

from werkzeug.datastructures import MultiDict

from pwa.offline.kinds import short_label

FORMS = {"concern": ("pwa.concerns.forms", "ConcernForm"), "visit": ("pwa.diary.forms", "VisitForm")}
HIDDEN = {"client_uuid", "csrf_token"}


def _form(kind: str):
    module, name = FORMS[kind]
    return getattr(import_module(module), name)(formdata=None, meta={"csrf": False})


def _choice_labels(field) -> dict:
    out = {}
    for choice in getattr(field, "choices", None) or []:
        value = getattr(choice, "value", None) if not isinstance(choice, tuple) else choice[0]
        label = getattr(choice, "label", None) if not isinstance(choice, tuple) else choice[1]
        out[str(value)] = str(label)
    return out


def describe(kind: str, formdata: MultiDict) -> list[tuple[str, str]]:
    """(label, value as typed) for each field the entry holds, in the order it was sent."""
    form = _form(kind) if kind in FORMS else None
    rows = []
    for name in dict.fromkeys(formdata.keys()):
        if name in HIDDEN:
            continue
        values = formdata.getlist(name)
        field = form[name] if form is not None and name in form else None
        if field is None:
            rows.append((name, ", ".join(values)))
            continue
        names = _choice_labels(field)
        rows.append((short_label(field.label.text), ", ".join(names.get(v, v) for v in values) or "(empty)"))
    return rows
