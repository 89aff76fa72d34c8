"""Form fields, helpers and validators shared by every feature.

The validators here are the ones the phone can check too: `pwa.web.rules`
publishes them (with their messages) for the offline forms, so a rule is
written once, in the form class.
"""
import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

from wtforms import RadioField as _RadioField
from wtforms import SelectChoice, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from pwa.core import clock


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(kind: type[enum.Enum], only: Iterable[enum.Enum] | None = None) -> list[SelectChoice]:
    """Select options for an enum: the member name is sent, its value shown."""
    return [SelectChoice(m.name, m.value) for m in (only or kind)]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (children's ids, concern categories)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RadioField(_RadioField):
    """Radio buttons; with nothing chosen, a required group says only its own message (not also 'Not a valid choice')."""

    def pre_validate(self, form):
        if self.data in (None, "") and any(isinstance(v, (InputRequired, DataRequired)) for v in self.validators):
            return
        super().pre_validate(form)


class NotInFuture:
    """A date (or a time of day on the date in field `on`) that has already come, in the scheme's local time.

    A time may run `slack` ahead of the server's clock, for a phone whose clock is a little fast.
    """

    def __init__(self, on: str | None = None, message: str | None = None, slack: timedelta = timedelta(minutes=5)):
        self.on = on
        self.slack = slack
        self.message = message or ("This time is later than now." if on else "This date is in the future.")

    def __call__(self, form, field):
        if field.data is None:
            return
        now = clock.local_now()
        if self.on is None:
            if field.data > now.date():
                raise ValidationError(self.message)
            return
        day = form[self.on].data
        if day == now.date() and datetime.combine(day, field.data, now.tzinfo) > now + self.slack:
            raise ValidationError(self.message)


not_in_future = NotInFuture()


class NotBefore:
    """A date no earlier than the date in field `other` (when both are given)."""

    def __init__(self, other: str, message: str):
        self.other = other
        self.message = message

    def __call__(self, form, field):
        earlier = form[self.other].data
        if field.data and earlier and field.data < earlier:
            raise ValidationError(self.message)
