"""Forms for raising a concern, adding to it, acknowledging it and closing the loop.

The same ConcernForm validates a browser post and a replayed offline entry.
"""
import uuid
from datetime import datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.web import templating
from pwa.web.forms import CheckboxesField, RadioField, enum_choices
from pwa.models import ConcernCategory, Urgency


def a_uuid(form, field):
    """The client's UUID for this submission."""
    try:
        uuid.UUID(str(field.data))
    except ValueError as exc:
        raise ValidationError("This form is out of date: reload the page and try again.") from exc


def local_call_time(value, now: datetime) -> datetime:
    """A time of day today (UK time) as UTC; a time later than now means yesterday."""
    zone = templating.ZONE
    local_now = now.astimezone(zone)
    at = datetime.combine(local_now.date(), value, tzinfo=zone)
    if at > local_now + timedelta(minutes=5):
        at -= timedelta(days=1)
    return at.astimezone(now.tzinfo)


class UrgencyForm(FlaskForm):
    """Step one: how urgent is it (a GET form, so no CSRF token)."""

    class Meta:
        csrf = False

    urgency = RadioField("How urgent is it?", choices=enum_choices(Urgency),
                         validators=[InputRequired(message="Choose how urgent it is.")])


class ConcernForm(FlaskForm):
    client_uuid = HiddenField(validators=[InputRequired(), a_uuid])
    urgency = RadioField("How urgent is it?", choices=enum_choices(Urgency),
                         validators=[InputRequired(message="Choose how urgent it is.")])
    categories = CheckboxesField("What kind of concern is it?", description="Tick all that apply.",
                                 choices=enum_choices(ConcernCategory),
                                 validators=[DataRequired(message="Tick at least one.")])
    children = CheckboxesField("Which children is it about?", choices=[], validate_choice=False)
    not_one_child = BooleanField("It is not about one child: the whole family, or a child not listed here")
    what_seen = TextAreaField("What did you see and hear?",
                              validators=[DataRequired(message="Say what you saw and heard."), Length(max=8000)],
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
        """Immediate danger: the call must be recorded, who and when."""
        valid = super().validate(extra_validators)
        if self.urgency.data != Urgency.immediate.name:
            return valid
        if not (self.who_called.data or "").strip():
            self.who_called.errors.append("Say who you called (999 or the duty line).")
            valid = False
        if self.called_at.data is None and not self.called_at.errors:
            self.called_at.errors.append("Enter the time you called, for example 14:32.")
            valid = False
        return valid

    def concern_data(self) -> dict:
        """The submission as plain values, as typed: what the idempotency hash covers."""
        return {
            "urgency": self.urgency.data,
            "categories": sorted(set(self.categories.data)),
            "what_seen": self.what_seen.data.strip(),
            "child_words": (self.child_words.data or "").strip() or None,
            "actions_taken": (self.actions_taken.data or "").strip() or None,
            "who_called": (self.who_called.data or "").strip() or None,
            "called_at": self.called_at.data.strftime("%H:%M") if self.called_at.data else None,
            "children": sorted(set(self.children.data or [])),
            "not_one_child": bool(self.not_one_child.data),
        }

    def called_at_utc(self, now: datetime) -> datetime | None:
        """When the call was made, as a UTC time (the most recent such time of day)."""
        return local_call_time(self.called_at.data, now) if self.called_at.data else None


class AddendumForm(FlaskForm):
    client_uuid = HiddenField(validators=[InputRequired(), a_uuid])
    facts = TextAreaField("What else has happened or come to light?", validators=[DataRequired(), Length(max=8000)])
    child_words = TextAreaField("Anything more the child said, in their exact words",
                                validators=[Optional(), Length(max=4000)])

    def addendum_data(self) -> dict:
        """The addendum as plain values."""
        return {"facts": self.facts.data.strip(), "child_words": (self.child_words.data or "").strip() or None}


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
