"""pwa.web.controls draws every field of every form class exactly as WTForms' own widgets do."""
import contextlib
import importlib
import pkgutil
import uuid
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import FieldList, FormField

import pwa
from pwa.web import controls

NASTY = 'Mum & "Gran" <b>it\'s</b>'
ATTRS = ({}, {"aria-describedby": "x-hint x-error", "aria-invalid": "true"}, {"aria_describedby": NASTY, "class_": "a"})


def form_classes() -> list[type]:
    """Every form class the app defines (its modules imported first)."""
    for info in pkgutil.walk_packages(pwa.__path__, "pwa."):
        if "forms" in info.name.rsplit(".", 1)[-1]:
            importlib.import_module(info.name)
    found, todo = [], list(Form.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("pwa.") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: c.__qualname__)


def leaves(form):
    """Every field of a form, those inside FieldLists and FormFields too."""
    for field in form:
        if isinstance(field, (FieldList, FormField)):
            for entry in field:
                yield from leaves(entry.form) if isinstance(entry, FormField) else [entry]
        else:
            yield field


def posted(cls) -> MultiDict:
    """A post giving every field a value that needs escaping (numbers and dates then fail to parse)."""
    data = MultiDict()
    for field in leaves(cls(formdata=None, meta={"csrf": False})):
        data.add(field.name, NASTY)
    return data


def assert_drawn_alike(form) -> int:
    """Compare every control, label and choice group of `form`; return how many were compared."""
    compared = 0
    for field in leaves(form):
        for attrs in ATTRS:
            assert str(controls.control(field, **attrs)) == str(field(**attrs)), (field.name, attrs)
        assert str(controls.label(field)) == str(field.label), field.name
        if hasattr(field, "option_widget"):
            assert [(str(i), str(t)) for i, t in controls.choice_inputs(field)] == \
                   [(str(o()), str(o.label.text)) for o in field], field.name
        compared += 1
    return compared


def test_every_form_class_is_found():
    names = {cls.__name__ for cls in form_classes()}
    assert {"VisitForm", "CorrectionForm", "GoalWorkForm", "ConcernForm"} <= names
    assert len(names) >= 20


@pytest.mark.parametrize("cls", form_classes(), ids=lambda c: c.__qualname__)
def test_every_field_is_drawn_as_wtforms_draws_it(app, cls):
    with app.test_request_context("/", method="POST"):
        try:
            blank, sent = cls(formdata=None, meta={"csrf": False}), cls(formdata=posted(cls), meta={"csrf": False})
        except TypeError:
            pytest.skip(f"{cls.__name__} needs arguments to be made")
        with contextlib.suppress(AttributeError, TypeError, KeyError):  # a form checking what it was made with
            sent.validate()
        assert assert_drawn_alike(blank) == assert_drawn_alike(sent) == len(list(leaves(blank)))
        with_token = cls(formdata=None)
        if hasattr(with_token, "hidden_tag"):  # a FlaskForm (a GoalWorkForm is drawn inside the visit form)
            assert str(controls.hidden_tag(with_token)) == str(with_token.hidden_tag())


def test_a_visit_form_with_children_goals_and_errors_is_drawn_as_wtforms_draws_it(app):
    from pwa.diary.forms import VisitForm

    kids = [SimpleNamespace(id=uuid.uuid4(), first_name=name) for name in ("Amy", 'Jo "JJ" <x>')]
    goals = [SimpleNamespace(id=uuid.uuid4(), title="School & home")]
    data = MultiDict([("children_seen", str(kids[1].id)), ("kind", "phone_call"), ("goals-0-goal_id", str(goals[0].id)),
                      ("goals-0-note", NASTY), ("travel_miles", "inf"), ("unknown_adult", "y"),
                      ("what_done", NASTY), ("duration_minutes", "1441")])
    with app.test_request_context("/", method="POST", data=data):
        form = VisitForm()
        form.offer(kids, goals)
        assert not form.validate()
        assert assert_drawn_alike(form) == 20  # csrf_token and the goal's three fields too
        assert str(controls.hidden_tag(form)) == str(form.hidden_tag())
        seen = controls.choice_inputs(form.children_seen)
        assert [t for _, t in seen] == ["Amy", 'Jo "JJ" <x>'] and "checked" in seen[1][0] and "checked" not in seen[0][0]
        assert 'aria-invalid="true"' in controls.control(form.duration_minutes, **ATTRS[1])


def test_selects_are_drawn_as_wtforms_draws_them_and_what_it_does_not_know_is_left_to_wtforms(app):
    from wtforms import SelectChoice, SelectField, StringField
    from wtforms.validators import InputRequired

    def shouted(field, **attrs):
        return f"<b>{field.name}</b>"

    class Picker(Form):
        pick = SelectField("Pick", choices=[SelectChoice("a", "A & B"), SelectChoice('b"', NASTY)],
                           validators=[InputRequired()], render_kw={"data-x": NASTY})
        grouped = SelectField("Grouped", choices=[SelectChoice("a", "A", optgroup="One"), SelectChoice("b", "B")])
        marked = SelectField("Marked", choices=[SelectChoice("a", "A", render_kw={"data_note": NASTY})])
        odd = StringField("Odd", widget=shouted)

    with app.test_request_context():
        form = Picker(formdata=MultiDict({"pick": 'b"', "grouped": "b"}))
        drawn = str(controls.control(form.pick, aria_describedby="pick-error"))
        assert drawn == str(form.pick(aria_describedby="pick-error"))
        assert '<option selected value="b&#34;">' in drawn and "required" in drawn
        assert all(str(controls.control(f)) == str(f()) for f in form)
        assert controls._drawer(form.grouped, {}) is None and controls._drawer(form.marked, {}) is None
        assert controls._drawer(form.odd, {}) is None and str(controls.control(form.odd)) == "<b>odd</b>"
