"""Referral, consent, children and social-worker forms."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.core import clock
from pwa.web.forms import enum_choices, not_in_future
from pwa.models import ConsentMethod, PlanType


class ReferralForm(FlaskForm):
    display_name = StringField("Family name", validators=[DataRequired(), Length(max=120)],
                               description="How the family is known to the team, e.g. 'The Smith family'.")
    address = TextAreaField("Address", validators=[Optional(), Length(max=500)])
    plan_type = SelectField("Plan", choices=enum_choices(PlanType))
    referral_reason = TextAreaField("Reason for referral", validators=[DataRequired(), Length(max=4000)])
    involvement_plan = TextAreaField(
        "Volunteer involvement plan", validators=[DataRequired(), Length(max=8000)],
        description="What the volunteer will do, the outcomes hoped for, and risks the volunteer must know.")
    children = TextAreaField(
        "Children", validators=[Optional(), Length(max=2000)],
        description="One child a line: first name, then date of birth as YYYY-MM-DD, e.g. 'Amy 2018-04-02'.")
    submit = SubmitField("Refer family")


class ConsentForm(FlaskForm):
    given_on = DateField("Consent given on", validators=[InputRequired(message="Enter the date consent was given."), not_in_future])
    method = SelectField("How consent was given", choices=enum_choices(ConsentMethod))
    scope = TextAreaField("What the family agreed to", validators=[Optional(), Length(max=2000)],
                          description="For example: weekly home visits; sharing the diary with the social worker; "
                                      "not contacting the school.")
    submit = SubmitField("Record consent")


class RealDateField(DateField):
    """A date that refuses text, saying what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("Enter a real date, for example 2019-03-12.") from exc


def no_digits(form, field):
    """A first name holds no numbers (a date typed into the name box is refused, not stored)."""
    if any(ch.isdigit() for ch in field.data or ""):
        raise ValidationError("A name cannot contain numbers: put the date of birth in its own box.")


class ChildForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(message="Enter the child's first name."),
                                                       Length(max=80), no_digits])
    date_of_birth = RealDateField("Date of birth", validators=[Optional(), not_in_future])
    expected_on = RealDateField("Unborn: expected date", validators=[Optional()],
                                description="Only for a child not yet born.")

    def validate_expected_on(self, field):
        """A child is born or expected, not both; an expected date is still to come."""
        if field.data and self.date_of_birth.data:
            raise ValidationError("Give a date of birth or an expected date, not both.")
        if field.data and field.data < clock.today():
            raise ValidationError("The expected date has passed: give the date of birth instead.")


class ReassignForm(FlaskForm):
    social_worker = SelectField("Responsible social worker", choices=[])
    submit = SubmitField("Change social worker")
