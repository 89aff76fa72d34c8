"""Forms for raising a concern, adding to it, acknowledging it and closing the loop.

The same ConcernForm validates a browser post and a replayed offline entry.
"""
import uuid

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.concerns.data import ConcernData
from pwa.web.forms import CheckboxesField, RadioField, enum_choices
from pwa.models import ConcernCategory, Urgency


def a_uuid(form, field):
    """The client's UUID for this submission."""
    try:
        uuid.UUID(str(field.data))
    except ValueError as exc:
        raise ValidationError("This form is out of date: reload the page and try again.") from exc


class UrgencyForm(FlaskForm):
    """Step one: how urgent is it (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    urgency = RadioField("How urgent is it?", choices=enum_choices(Urgency),
                         validators=[InputRequired(message="Choose how urgent it is, then press Continue.")])


ESSENTIAL = ("csrf_token", "client_uuid", "what_seen")  # all a concern needs; anything else may be missing


def _text(value) -> str | None:
    return (value or "").strip() or None


class ConcernForm(FlaskForm):
    """The concern as typed. Its validators are what the page and the phone check before sending; on the
    server only an ESSENTIAL field refuses: any other detail that is missing or unreadable is marked
    (ConcernData.missing), and the concern is stored and alerted all the same."""

    client_uuid = HiddenField(validators=[InputRequired(), a_uuid])
    urgency = RadioField("How urgent is it?", choices=enum_choices(Urgency), validators=[Optional()])
    categories = CheckboxesField("What kind of concern is it?", description="Tick all that apply.",
                                 choices=enum_choices(ConcernCategory), validators=[Optional()])
    children = CheckboxesField("Which children is it about?", choices=[], validate_choice=False)
    not_one_child = BooleanField("It is not about one child: the whole family, or a child not listed here")
    what_seen = TextAreaField("What did you see and hear?",
                              validators=[DataRequired(message="Write what you saw and heard."), Length(max=8000)],
                              description="In your own words: what happened, when, and who was there.")
    child_words = TextAreaField("What did the child say, in their exact words?",
                                validators=[Optional(), Length(max=4000)],
                                description="Write exactly what the child said, even if it is rude or unclear. "
                                            "Leave blank if the child said nothing.")
    actions_taken = TextAreaField("What have you done so far?", validators=[Optional(), Length(max=4000)])
    who_called = StringField("Who did you call?", validators=[Optional(), Length(max=200)],
                             description="For example: 999 (police), or the duty line.")
    called_at = TimeField("What time did you call?", validators=[Optional()],
                          description="The time on your phone, for example 14:32.")

    def offer_children(self, children) -> None:
        """Offer the family's children to tick (an unknown id is dropped when stored, never refused)."""
        self.children.choices = [(str(c.id), c.first_name) for c in children]

    def validate(self, extra_validators=None) -> bool:
        """Refuse only what makes a concern unusable; note the rest as unreadable, keeping all text typed."""
        super().validate(extra_validators)
        self.unreadable = []
        for field in self:
            if not field.errors or field.name in ESSENTIAL[:2] or field.name == "what_seen" and not _text(field.data):
                continue
            if not isinstance(field, (StringField, TextAreaField)):
                self.unreadable.append(field.name)
            field.errors = []  # a text too long keeps every word; an unreadable choice or time is marked
        return not any(field.errors for field in self if field.name in ESSENTIAL)

    def concern_data(self) -> ConcernData:
        """The validated submission as plain data."""
        unreadable = set(getattr(self, "unreadable", ()))
        valid = {c.value for c in self.categories.choices}
        chosen = [name for name in (self.categories.data or []) if name in valid]
        if len(chosen) != len(self.categories.data or []):
            unreadable.add("categories")
        return ConcernData(
            what_seen=self.what_seen.data.strip(),
            urgency=None if "urgency" in unreadable or not self.urgency.data else Urgency[self.urgency.data],
            categories=tuple(ConcernCategory[name] for name in sorted(set(chosen))),
            child_words=_text(self.child_words.data), actions_taken=_text(self.actions_taken.data),
            who_called=_text(self.who_called.data),
            called_at=None if "called_at" in unreadable else self.called_at.data,
            children=tuple(sorted(set(self.children.data or []))), not_one_child=bool(self.not_one_child.data),
            unreadable=tuple(sorted(unreadable)))


class AddendumForm(FlaskForm):
    client_uuid = HiddenField(validators=[InputRequired(), a_uuid])
    facts = TextAreaField("What else has happened or come to light?", validators=[DataRequired(), Length(max=8000)])
    child_words = TextAreaField("Anything more the child said, in their exact words",
                                validators=[Optional(), Length(max=4000)])

    def addendum_data(self) -> dict:
        """The addendum as plain values."""
        return {"facts": self.facts.data.strip(), "child_words": _text(self.child_words.data)}


class AcknowledgeForm(FlaskForm):
    addenda = HiddenField()  # the addenda on the page when it was read, comma-separated

    def addendum_ids(self) -> list[uuid.UUID]:
        """The addenda the reader saw."""
        out = []
        for part in (self.addenda.data or "").split(","):
            try:
                out.append(uuid.UUID(part.strip()))
            except ValueError:
                continue
        return out


class ActionTakenForm(FlaskForm):
    note = StringField("Action taken", validators=[DataRequired(), Length(max=200)],
                       description="A short note the mentor will see, without details: "
                                   "for example 'Strategy discussion held; child seen today'.")


class DebriefForm(FlaskForm):
    note = TextAreaField("Debrief note", validators=[DataRequired(), Length(max=2000)],
                         description="When and how you talked it through with the mentor, and any follow-up.")
