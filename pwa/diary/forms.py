"""The visit entry form: posted by the page, or filled from a plain dict by the offline outbox.

    VisitForm(formdata=MultiDict(payload), meta={"csrf": False})

The payload uses the field names below: dates as YYYY-MM-DD, the start time as HH:MM, kind as
home_visit / phone_call / outing / appointment, children_seen and children_spoken as lists of
child ids, outcome as completed / no_answer / cancelled / family_out, unknown_adult as y (an adult the
mentor had not met before was there) with unknown_adult_note, and per goal goals-N-goal_id, goals-N-mark (forward / same / back / none) and goals-N-note.
"""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, FieldList, Form, FormField, HiddenField, IntegerField,
                     RadioField, SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from pwa.core import clock
from pwa.web.forms import choices, enum_choices
from pwa.models import ProgressMark, VisitKind, VisitOutcome
from pwa.web.templating import local

NOT_WORKED_ON = "none"


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a list of child ids)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GoalWorkForm(Form):
    goal_id = HiddenField()
    mark = RadioField("How it went", default=NOT_WORKED_ON,
                      choices=choices([(NOT_WORKED_ON, "Not worked on")] + [(m.name, m.value) for m in ProgressMark]))
    note = StringField("Progress note", validators=[Optional(), Length(max=500)])

    def validate_mark(self, field):
        """A note needs a mark."""
        if field.data == NOT_WORKED_ON and (self.note.data or "").strip():
            raise ValidationError("Choose how it went, or clear the note.")


def local_today() -> date:
    """Today in the scheme's time zone (a visit at 00:30 in summer is already tomorrow in UTC terms)."""
    return local(clock.now()).date()


def not_in_future(form, field):
    """A date that has already come, locally."""
    if field.data and field.data > local_today():
        raise ValidationError("This date is in the future.")


def _text(value) -> str | None:
    return (value or "").strip() or None


class VisitForm(FlaskForm):
    client_uuid = HiddenField()
    visit_on = DateField("Date", validators=[InputRequired(message="Enter the date of the visit."), not_in_future])
    started_at = TimeField("Start time", validators=[InputRequired(message="Enter the start time, e.g. 14:30.")])
    duration_minutes = IntegerField(
        "How long (minutes)", render_kw={"inputmode": "numeric", "min": 1, "max": 1440},
        validators=[InputRequired(message="Enter how many minutes it lasted."),
                    NumberRange(1, 1440, message="Enter a number of minutes from 1 to 1440.")])
    kind = RadioField("Kind of contact", choices=enum_choices(VisitKind), default=VisitKind.home_visit.name)
    outcome = RadioField("Did it happen?", choices=enum_choices(VisitOutcome), default=VisitOutcome.completed.name,
                         description="A visit that did not happen is still recorded: repeated no access is a "
                                     "warning sign, not missing data.")
    present = StringField("Who was there", validators=[Optional(), Length(max=300)])
    children_seen = CheckboxesField("Children you saw", choices=[])
    children_spoken = CheckboxesField("Children you spoke to", choices=[])
    child_words = TextAreaField("What the child said, in their own words", validators=[Optional(), Length(max=4000)])
    what_done = TextAreaField("What you did", validators=[Length(max=8000)], render_kw={"required": True},
                              description="For a visit that did not happen: what you did, e.g. knocked twice, "
                                          "rang mum, left a card.")
    unknown_adult = BooleanField("Was an adult there you had not met before?")
    unknown_adult_note = StringField("Who they were, if you know", validators=[Optional(), Length(max=300)])
    goals = FieldList(FormField(GoalWorkForm))
    next_contact_on = DateField("Next planned contact", validators=[Optional()])
    travel_miles = DecimalField("Travel (miles, optional)", places=1, render_kw={"inputmode": "decimal"},
                                validators=[Optional(), NumberRange(0, 10000, message="Enter miles from 0.")])
    talk_to_coordinator = BooleanField("I'd like to talk to my coordinator")

    goal_titles: dict = {}

    def offer(self, children, goals) -> None:
        """Offer the family's children and open goals (a goal missing from the post is 'not worked on')."""
        kids = choices((str(c.id), c.first_name) for c in children)
        self.children_seen.choices, self.children_spoken.choices = kids, list(kids)
        self.goal_titles = {str(g.id): g.title for g in goals}
        listed = {entry.goal_id.data for entry in self.goals}
        for goal_id in self.goal_titles:
            if goal_id not in listed:
                self.goals.append_entry({"goal_id": goal_id})

    def validate_what_done(self, field):
        """Say what was done (for a visit that did not happen, what you did instead)."""
        if not (field.data or "").strip():
            raise ValidationError("Say what you did." if self.outcome.data == VisitOutcome.completed.name
                                  else "Say what you did, e.g. knocked twice and rang mum.")

    def validate_children_seen(self, field):
        """A child can be seen only face to face, on a visit that happened."""
        if not field.data:
            return
        if self.outcome.data != VisitOutcome.completed.name:
            raise ValidationError("No child can be seen on a visit that did not happen.")
        if self.kind.data == VisitKind.phone_call.name:
            raise ValidationError("On a phone call you cannot see a child: tick 'spoken to' instead.")

    def validate_next_contact_on(self, field):
        """The next contact comes after this one."""
        if field.data and self.visit_on.data and field.data < self.visit_on.data:
            raise ValidationError("The next contact cannot be before this visit.")

    def validate_goals(self, field):
        """Only the family's open goals can be worked on."""
        if any(entry.goal_id.data not in self.goal_titles for entry in field):
            raise ValidationError("One of these goals is not open for this family: reload the page.")

    def canonical(self) -> dict:
        """The entry as plain values: recorded once valid, and hashed to recognise a replay."""
        started = self.started_at.data
        miles = self.travel_miles.data
        return {
            "visit_on": self.visit_on.data.isoformat() if self.visit_on.data else None,
            "started_at": started.strftime("%H:%M") if started else None,
            "duration_minutes": self.duration_minutes.data,
            "kind": self.kind.data,
            "present": _text(self.present.data),
            "children_seen": sorted(self.children_seen.data or []),
            "children_spoken": sorted(self.children_spoken.data or []),
            "child_words": _text(self.child_words.data),
            "what_done": _text(self.what_done.data),
            "goals": sorted([e.goal_id.data, e.mark.data, _text(e.note.data)] for e in self.goals
                            if e.mark.data != NOT_WORKED_ON),
            "next_contact_on": self.next_contact_on.data.isoformat() if self.next_contact_on.data else None,
            "travel_tenth_miles": None if miles is None else int(round(miles * 10)),
            "talk_to_coordinator": bool(self.talk_to_coordinator.data),
            "outcome": self.outcome.data,
            "unknown_adult": bool(self.unknown_adult.data),
            "unknown_adult_note": _text(self.unknown_adult_note.data) if self.unknown_adult.data else None,
        }

    def error_list(self) -> list[tuple[str, str]]:
        """Every error as (field id, 'Label: message'), goals named by their title."""
        out = [("", message) for message in self.form_errors]
        for field in self:
            if field.name == "goals":
                out += self._goal_errors(field)
            elif field.errors:
                out.append((field.id, f"{field.label.text}: {' '.join(field.errors)}"))
        return out

    def _goal_errors(self, field) -> list[tuple[str, str]]:
        out = [(field.id, f"Goals: {message}") for message in field.errors if isinstance(message, str)]
        for entry in field:
            title = self.goal_titles.get(entry.goal_id.data, "Goal")
            out += [(sub.id, f"{title} — {sub.label.text}: {' '.join(sub.errors)}") for sub in entry if sub.errors]
        return out


class CorrectionForm(VisitForm):
    correction_reason = TextAreaField("What was wrong with the earlier entry",
                                      validators=[DataRequired(message="Say what this corrects."), Length(max=2000)])

    def canonical(self) -> dict:
        """The entry plus why it corrects the earlier one."""
        return super().canonical() | {"correction_reason": _text(self.correction_reason.data)}
