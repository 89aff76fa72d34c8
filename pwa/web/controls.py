"""A form field's control written straight from the field: the HTML WTForms' widgets write, without their machinery.

`field(**attrs)` goes through the form's meta, a widget, `dir()` of the field's flags and `html_params`,
which formats every attribute through `Markup.format`: about 40 µs a control, a third of the visit form's
time and more of the family page's. `control(field, **attrs)` writes the same `<input>` or `<textarea>`
from the same parts (the field's name, id, value, render_kw, and the attributes its validators flag:
required, maxlength, min, max ...), so a rule is still written once, in the form class. A widget it does
not know, a datalist or a form whose meta renders its own way is drawn by WTForms as before;
tests/test_controls.py checks every field of every form class draws the same both ways.
"""
from markupsafe import Markup, escape
from wtforms.meta import DefaultMeta
from wtforms.widgets import (CheckboxInput, HiddenInput, Input, NumberInput, PasswordInput, RadioInput, Select,
                             TextArea)
from wtforms.widgets.core import _DateTimeBaseInput, clean_key


def _quoted(value) -> str:
    return str(escape(value)).replace('"', "&quot;")


def _params(attrs: dict) -> str:
    """The attributes as html_params writes them: sorted, True bare, False left out, values escaped."""
    out = []
    for key in sorted(attrs):
        value = attrs[key]
        if value is True:
            out.append(key)
        elif value is not False:
            out.append(f'{key}="{_quoted(value)}"')
    return " ".join(out)


def _flagged(flags, widget, attrs: dict, call: bool = True) -> dict:
    """Add the attributes the field's validators flag (required, maxlength ...) that the widget writes."""
    for key, value in vars(flags).items():
        if key in widget.validation_attrs and key not in attrs:
            attrs[key] = value() if call and callable(value) else value
    return attrs


def _tag(widget, flags, name: str, attrs: dict) -> str:
    attrs.setdefault("type", widget.input_type)
    attrs = _flagged(flags, widget, attrs)
    attrs["name"] = name
    return f"<input {_params(attrs)}>"


def _input(field, widget, attrs: dict) -> str:
    attrs.setdefault("id", field.id)
    if "value" not in attrs:
        attrs["value"] = field._value()
    return _tag(widget, field.flags, field.name, attrs)


def _checkbox(field, widget, attrs: dict) -> str:
    if getattr(field, "checked", field.data):
        attrs.setdefault("checked", True)
    return _input(field, widget, attrs)


def _radio(field, widget, attrs: dict) -> str:
    if field.checked:
        attrs.setdefault("checked", True)
    return _input(field, widget, attrs)


def _password(field, widget, attrs: dict) -> str:
    if widget.hide_value:
        attrs["value"] = ""
    return _input(field, widget, attrs)


def _number(field, widget, attrs: dict) -> str:
    for key in ("step", "min", "max"):
        if getattr(widget, key) is not None:
            attrs.setdefault(key, getattr(widget, key))
    return _input(field, widget, attrs)


def _textarea(field, widget, attrs: dict) -> str:
    attrs.setdefault("id", field.id)
    attrs = _flagged(field.flags, widget, attrs, call=False)
    attrs["name"] = field.name
    return f"<textarea {_params(attrs)}>\r\n{escape(field._value())}</textarea>"


def _select(field, widget, attrs: dict) -> str:
    attrs.setdefault("id", field.id)
    if widget.multiple:
        attrs["multiple"] = True
    attrs = _flagged(field.flags, widget, attrs, call=False)
    attrs["name"] = field.name
    html = [f"<select {_params(attrs)}>"]
    for choice in field._iter_choices_normalized():
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = ' selected' if choice.selected else ''
        html.append(f'<option{selected} value="{_quoted(value)}">{escape(choice.label or choice.value)}</option>')
    html.append("</select>")
    return "".join(html)


def _plain_options(field) -> bool:
    """The select's options are drawn by Select.render_option, one list, none with attributes of its own."""
    return (type(field.widget).render_option.__func__ is Select.render_option.__func__ and not field.has_groups()
            and not any(choice.render_kw for choice in field._iter_choices_normalized()))


# By the widget class's __call__, so a widget that draws itself differently falls back to WTForms.
_DRAW = {Input.__call__: _input, CheckboxInput.__call__: _checkbox, RadioInput.__call__: _radio,
         PasswordInput.__call__: _password, NumberInput.__call__: _number, TextArea.__call__: _textarea,
         Select.__call__: _select}


def _drawer(field, attrs: dict):
    """How to draw this field here, or None where WTForms must (a date bound by min/max is formatted there)."""
    widget = field.widget
    draw = _DRAW.get(type(widget).__call__)
    if isinstance(widget, _DateTimeBaseInput) and type(widget).__call__ is _DateTimeBaseInput.__call__:
        bounded = any(key in attrs or getattr(field.flags, key) is not None for key in ("min", "max"))
        draw = None if bounded else _input
    if draw is _select and not _plain_options(field):
        draw = None
    if draw is None or field._datalist is not None or type(field.meta).render_field is not DefaultMeta.render_field:
        return None
    return draw


def control(field, **attrs) -> Markup:
    """The field's control, as `field(**attrs)` draws it."""
    attrs = {clean_key(k): v for k, v in attrs.items()}
    if field.render_kw:
        attrs = {clean_key(k): v for k, v in field.render_kw.items()} | attrs
    draw = _drawer(field, attrs)
    if draw is None:
        return field(**attrs)
    return Markup(draw(field, field.widget, attrs))  # nosec B704  # every value in it escaped by _params


def label(field) -> Markup:
    """The field's <label for=...>, as `field.label` draws it."""
    for_ = field.label.field_id
    if not isinstance(for_, str):
        return field.label()
    return Markup(f'<label for="{escape(for_)}">{escape(field.label.text)}</label>')  # nosec B704  # escaped


def choice_inputs(field) -> list[tuple[Markup, str]]:
    """Each option of a radio or checkbox group as (its input, its label text), as iterating the field gives.

    Iterating binds a field per option; here each option's input is written from its choice.
    """
    widget = field.option_widget
    if type(widget).__call__ not in (RadioInput.__call__, CheckboxInput.__call__) or \
            getattr(field.widget, "field_flags", None) or type(field.meta).render_field is not DefaultMeta.render_field:
        return [(option(), option.label.text) for option in field]
    shared = {clean_key(k): v for k, v in (field.render_kw or {}).items()}
    out = []
    for i, choice in enumerate(field._iter_choices_normalized()):
        attrs = {"id": f"{field.id}-{i}"} | shared
        if choice.selected:
            attrs.setdefault("checked", True)
        attrs.setdefault("value", str(choice.value))
        out.append((Markup(_tag(widget, field.flags, field.name, attrs)), choice.label or choice.value))  # nosec B704
    return out


def hidden_tag(form) -> Markup:
    """The form's hidden fields (CSRF token, client UUID ...), as FlaskForm.hidden_tag draws them."""
    return Markup("\n".join(control(f) for f in form if isinstance(f.widget, HiddenInput)))  # nosec B704
