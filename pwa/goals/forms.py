"""Setting, proposing, agreeing and closing goals."""
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.web.forms import not_in_future
from pwa.web.forms import choices, enum_choices
from pwa.models import GoalStatus
from pwa.models.goal import CLOSED_STATUSES


class GoalForm(FlaskForm):
    title = StringField("Goal", validators=[DataRequired(message="Name the goal."), Length(max=200)],
                        description="Short and specific, e.g. 'Amy gets to school on time every day'.")
    success_looks_like = TextAreaField("What success looks like",
                                       validators=[DataRequired(message="Say what success looks like."),
                                                   Length(max=2000)])
    outcome_area = SelectField("Outcome area", choices=[])
    target_on = DateField("Target date", validators=[Optional()])
    family_agreed_on = DateField("Agreed with the family on", validators=[Optional(), not_in_future],
                                 description="Leave blank if the family has not agreed it yet.")

    def offer_areas(self, framework) -> None:
        """Offer the areas of the family's outcome framework."""
        self.outcome_area.choices = choices([("", "Not linked to an area")] +
                                            [(str(a.id), a.name) for a in framework.areas])


class FamilyAgreementForm(FlaskForm):
    agreed_on = DateField("Agreed with the family on",
                          validators=[InputRequired(message="Enter the date the family agreed."), not_in_future])


class CloseGoalForm(FlaskForm):
    status = RadioField("How the goal ended", choices=enum_choices(GoalStatus, only=CLOSED_STATUSES),
                        validate_choice=False)
    closed_on = DateField("On", validators=[InputRequired(message="Enter the date."), not_in_future])
    reason = TextAreaField("Reason", validators=[Length(max=2000)],
                           description="Needed when a goal is not achieved or dropped.")

    def validate_status(self, field):
        """One of the closing statuses."""
        if field.data not in {s.name for s in CLOSED_STATUSES}:
            raise ValidationError("Choose achieved, not achieved or dropped.")

    def validate_reason(self, field):
        """A goal not achieved or dropped says why."""
        if self.status.data in ("not_achieved", "dropped") and not (field.data or "").strip():
            raise ValidationError("Say why the goal was not achieved or was dropped.")
