"""Referral, consent, children and social-worker forms."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

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
    submit = SubmitField("Record consent")


class ChildForm(FlaskForm):
    first_name = StringField("First name", validators=[DataRequired(), Length(max=80)])
    date_of_birth = DateField("Date of birth", validators=[Optional(), not_in_future])
    submit = SubmitField("Add child")


class ReassignForm(FlaskForm):
    social_worker = SelectField("Responsible social worker", choices=[])
    submit = SubmitField("Change social worker")
