"""The rules a form class enforces, as plain data the phone checks before it seals an entry.

    rules(VisitForm(formdata=None, meta={"csrf": False}))

walks the form's fields and validators and returns, per field name, what the
server will check and the exact message it will give: required, longest
length, number range, not in the future, not before another date, the
choices, and the message for a value that does not parse. Messages are taken
by running the server's own validator on a value that breaks it, so they are
the server's words, never copied. Fields inside a FieldList are published
once under their name with the index as `N` (`goals-N-note`).

The rules carry no case data (the choices of a family's children are filled
per family, so they are left out) and are embedded in the form pages.
"""
from decimal import Decimal

from werkzeug.datastructures import MultiDict
from wtforms import fields as f
from wtforms.validators import (DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation,
                                ValidationError)

from pwa.web.forms import NotBefore, NotInFuture
from pwa.web.templating import ZONE

_TYPES = ((f.DateField, "date"), (f.TimeField, "time"), (f.IntegerField, "integer"), (f.DecimalField, "decimal"),
          (f.BooleanField, "bool"), (f.SelectMultipleField, "choices"), (f.RadioField, "choice"),
          (f.SelectField, "choice"), (f.StringField, "text"))
_NONSENSE = "not-a-value"
_SKIPPED = (f.HiddenField, f.SubmitField, f.FormField)
_published: dict = {}  # (form class, prefix) -> (its unbound fields, its rules)


def published(form) -> dict:
    """rules(form), worked out once per form class (again whenever the class's fields change)."""
    key = (type(form), form._prefix)
    fields = type(form)._unbound_fields  # WTForms makes a new list when a field of the class is replaced
    cached = _published.get(key)
    if cached is None or cached[0] is not fields:
        cached = _published[key] = (fields, rules(form))
    return cached[1]


def rules(form) -> dict:
    """The form class's checkable rules: {"zone": the scheme's time zone, "fields": {name: rule}}.

    Worked out on a blank form of the same class, so choices offered per family never reach them.
    """
    form = type(form)(formdata=None, prefix=form._prefix, meta={"csrf": False})
    out: dict = {}
    for field in form:
        if isinstance(field, f.FieldList):
            out.update(_list_rules(field))
        elif not isinstance(field, _SKIPPED):
            out[field.name] = field_rule(form, field)
    return {"zone": ZONE.key, "fields": out}


def _list_rules(field: f.FieldList) -> dict:
    """The rules of one entry of a FieldList of FormFields, named with the index as N."""
    entry = field.unbound_field.args[0] if field.unbound_field.field_class is f.FormField else None
    if entry is None:
        return {}
    inner = rules(entry(formdata=None, prefix=f"{field.name}-N-"))["fields"]
    return inner


def field_rule(form, field) -> dict:
    """What the server checks of one field, with its messages."""
    kind = next(name for cls, name in _TYPES if isinstance(field, cls))
    rule: dict = {"label": field.label.text, "type": kind}
    invalid = _invalid_message(form, field)
    if invalid:
        rule["invalid"] = invalid
    if kind in ("choice", "choices") and field.choices:
        rule["choices"] = [c[0] if isinstance(c, tuple) else c.value for c in field.choices]
        rule["choice_message"] = _choice_message(form, field)
    for validator in field.validators:
        rule.update(_validator_rule(form, field, validator))
    return rule


def _validator_rule(form, field, v) -> dict:
    if isinstance(v, (InputRequired, DataRequired)):
        data, raw = ("", [""]) if isinstance(v, InputRequired) else (" ", [" "])
        return {"required": _broken(form, field, v, data, raw), "blank_ok": isinstance(v, InputRequired)}
    if isinstance(v, Optional):
        return {"optional": True}
    if isinstance(v, Length) and v.max != -1:
        return {"max_length": [v.max, _broken(form, field, v, "x" * (v.max + 1))]}
    if isinstance(v, NumberRange):
        number = Decimal if isinstance(field, f.DecimalField) else int
        data = number(v.min) - 1 if v.min is not None else number(v.max) + 1
        return {"range": [v.min, v.max, _broken(form, field, v, data)]}
    if isinstance(v, NotInFuture):
        return {"not_future": {"on": v.on, "slack_minutes": v.slack.total_seconds() / 60, "message": v.message}}
    if isinstance(v, NotBefore):
        return {"not_before": [v.other, v.message]}
    return {}


def _broken(form, field, validator, data, raw=None) -> str:
    """The message the validator gives for `data` (a value chosen to break it)."""
    kept = field.data, field.raw_data, field.errors
    field.data, field.raw_data, field.errors = data, raw if raw is not None else [str(data)], []
    try:
        validator(form, field)
    except (ValidationError, StopValidation) as error:
        return str(error) or field.gettext("This field is required.")
    finally:
        field.data, field.raw_data, field.errors = kept
    raise ValueError(f"{validator!r} accepted {data!r}: cannot publish its rule")


def _invalid_message(form, field) -> str | None:
    """What the server says of a value that does not parse (a date that is not a date)."""
    if not isinstance(field, (f.DateField, f.TimeField, f.IntegerField, f.DecimalField)):
        return None
    probe = type(form)(formdata=MultiDict({field.name: _NONSENSE}), prefix=form._prefix, meta={"csrf": False})
    errors = probe[field.short_name].process_errors
    return errors[0] if errors else None


def _choice_message(form, field) -> str:
    """What the server says of a choice it does not offer ({value} stands for the value)."""
    kept = field.data
    field.data = ["{value}"] if isinstance(field, f.SelectMultipleField) else "\x00"
    try:
        field.pre_validate(form)
    except ValidationError as error:
        return str(error)
    finally:
        field.data = kept
    return field.gettext("Not a valid choice.")
