"""The visit entry form: posted by the page, or filled from a plain dict by the offline outbox.

    VisitForm(formdata=MultiDict(payload), meta={"csrf": False})

The payload uses the field names below: dates as YYYY-MM-DD, the start time as HH:MM, kind as
home_visit / phone_call / outing / appointment, children_seen and children_spoken as lists of
child ids, and per goal goals-N-goal_id, goals-N-mark (forward / same / back / none) and goals-N-note.
"""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, HiddenField, IntegerField,
                     StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from pwa.web.forms import (CheckboxesField, FiniteDecimalField, NotBefore, NotInFuture, RadioField, choices, enum_choices,
                           not_in_future)
from pwa.models import ProgressMark, VisitKind, VisitOutcome

NOT_WORKED_ON = "none"


class GoalWorkForm(Form):
    goal_id = HiddenField()
    mark = RadioField("How it went", default=NOT_WORKED_ON,
                      choices=choices([(NOT_WORKED_ON, "Not worked on")] + [(m.name, m.value) for m in ProgressMark]))
    note = StringField("Progress note", validators=[Optional(), Length(max=500)])

    def validate_mark(self, field):
        """A note needs a mark."""
        if field.data == NOT_WORKED_ON and (self.note.data or "").strip():
            raise ValidationError("Choose how it went, or clear the note.")


def _text(value) -> str | None:
    return (value or "").strip() or None


def _plain(field):
    """A field's value as the canonical entry holds it: trimmed text or None, a bool, a number, an ISO date."""
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, DateField):
        return field.data.isoformat() if field.data else None
    if isinstance(field, (StringField, TextAreaField)) and not isinstance(field, RadioField):
        return _text(field.data)
    return field.data


class VisitForm(FlaskForm):
    client_uuid = HiddenField()
    visit_on = DateField("Date", validators=[InputRequired(message="Enter the date of the visit."), not_in_future])
    started_at = TimeField("Start time", validators=[InputRequired(message="Enter the start time, e.g. 14:30."),
                                                     NotInFuture(on="visit_on")])
    duration_minutes = IntegerField(
        "How long (minutes)", render_kw={"inputmode": "numeric", "min": 1, "max": 1440},
        validators=[InputRequired(message="Enter how many minutes it lasted."),
                    NumberRange(1, 1440, message="Enter a number of minutes from 1 to 1440.")])
    kind = RadioField("Kind of contact", choices=enum_choices(VisitKind), default=VisitKind.home_visit.name)
    outcome = RadioField("Did it happen?", choices=enum_choices(VisitOutcome), default=VisitOutcome.completed.name,
                         description="A visit that did not happen is still recorded: repeated no access is a "
                                     "warning sign, not missing data.")
    present = StringField("Who was there", validators=[Optional(), Length(max=300)],
                          description="For example: Mum, Amy, Gran")
    children_seen = CheckboxesField("Children you saw", choices=[])
    children_spoken = CheckboxesField("Children you spoke to", choices=[])
    child_words = TextAreaField("What the child said, in their own words", validators=[Optional(), Length(max=4000)],
                                description="Their words, as near as you remember them. "
                                            "A child seen is not always a child safe.")
    what_done = TextAreaField("What you did", validators=[DataRequired(message="Say what you did."),
                                                          Length(max=8000)],
                              description="For a visit that did not happen: what you did, e.g. knocked twice, "
                                          "rang mum, left a card.")
    unknown_adult = BooleanField("Was an adult there you had not met before?")
    unknown_adult_note = StringField("Who they were, if you know", validators=[Optional(), Length(max=300)])
    goals = FieldList(FormField(GoalWorkForm))
    next_contact_on = DateField("Next planned contact", validators=[
        Optional(), NotBefore("visit_on", "The next contact cannot be before this visit.")])
    travel_miles = FiniteDecimalField("Travel (miles, optional)", places=1, render_kw={"inputmode": "decimal"},
                                validators=[Optional(), NumberRange(0, 10000, message="Enter miles from 0.")])
    talk_to_coordinator = BooleanField("I'd like to talk to my coordinator")

    goal_titles: dict = {}
    # Fields kept as they are in the Visit column of the same name: a new simple field is added here and to the
    # model (and the fields partial), and is then hashed, stored, offered for correction and shown with no more.
    RECORDED = ("duration_minutes", "present", "child_words", "what_done", "next_contact_on", "talk_to_coordinator",
                "outcome", "unknown_adult", "unknown_adult_note")

    def offer(self, children, goals) -> None:
        """Offer the family's children and open goals (a goal missing from the post is 'not worked on')."""
        kids = choices((str(c.id), c.first_name) for c in children)
        self.children_seen.choices, self.children_spoken.choices = kids, list(kids)
        self.goal_titles = {str(g.id): g.title for g in goals}
        listed = {entry.goal_id.data for entry in self.goals}
        for goal_id in self.goal_titles:
            if goal_id not in listed:
                self.goals.append_entry({"goal_id": goal_id})

    def validate_children_seen(self, field):
        """A child can be seen only face to face, on a visit that happened."""
        if not field.data:
            return
        if self.outcome.data != VisitOutcome.completed.name:
            raise ValidationError("No child can be seen on a visit that did not happen.")
        if self.kind.data == VisitKind.phone_call.name:
            raise ValidationError("On a phone call you cannot see a child: tick 'spoken to' instead.")

    def validate_goals(self, field):
        """Only the family's open goals can be worked on."""
        if any(entry.goal_id.data not in self.goal_titles for entry in field):
            raise ValidationError("One of these goals is not open for this family: reload the page.")

    def canonical(self) -> dict:
        """The entry as plain values: recorded once valid, and hashed to recognise a replay."""
        started = self.started_at.data
        miles = self.travel_miles.data
        return {name: _plain(self[name]) for name in self.RECORDED} | {
            "visit_on": self.visit_on.data.isoformat() if self.visit_on.data else None,
            "started_at": started.strftime("%H:%M") if started else None,
            "kind": self.kind.data,
            "children_seen": sorted(self.children_seen.data or []),
            "children_spoken": sorted(self.children_spoken.data or []),
            "goals": sorted([e.goal_id.data, e.mark.data, _text(e.note.data)] for e in self.goals
                            if e.mark.data != NOT_WORKED_ON),
            "travel_tenth_miles": None if miles is None else int(round(miles * 10)),
        }

    @classmethod
    def columns(cls, data: dict) -> dict:
        """The RECORDED values of a canonical entry as Visit column values."""
        dates = {name for name in cls.RECORDED if getattr(cls, name).field_class is DateField}
        values = {name: date.fromisoformat(data[name]) if name in dates and data[name] else data[name]
                  for name in cls.RECORDED if name in data}  # an entry sealed before a field existed keeps its default
        if values.get("outcome"):
            values["outcome"] = VisitOutcome[values["outcome"]]
        return values

    @classmethod
    def prefill(cls, visit) -> dict:
        """The RECORDED values of a stored entry, as the form takes them (to start a correction from)."""
        values = {name: getattr(visit, name) for name in cls.RECORDED}
        return {name: v.name if isinstance(v, VisitOutcome) else v for name, v in values.items()}

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
