"""Programme settings and account invitations."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, IntegerField, SelectField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from pwa.web.forms import enum_choices
from pwa.models import Role


class ProgrammeForm(FlaskForm):
    name = StringField("Programme name", validators=[DataRequired(), Length(max=120)])
    duty_email = EmailField("Duty inbox email", validators=[DataRequired(), Email()],
                            description="Escalations of unacknowledged concerns go here.")
    duty_phone = TelField("Duty phone", validators=[DataRequired(), Length(max=40)],
                          description="Shown to mentors beside 999 when a child is in danger.")
    ack_minutes_immediate = IntegerField("Acknowledge an immediate-danger concern within (minutes)",
                                         validators=[InputRequired(), NumberRange(1, 10080)], default=15)
    ack_minutes_urgent = IntegerField("Acknowledge an urgent concern within (minutes)",
                                      validators=[InputRequired(), NumberRange(1, 10080)], default=60)
    ack_minutes_worried = IntegerField("Acknowledge a worry within (minutes)",
                                       validators=[InputRequired(), NumberRange(1, 10080)], default=1440)
    hourly_value = DecimalField("Value of an hour of volunteer time (£)", places=2,
                                validators=[InputRequired(), NumberRange(0, 1000)], default=15)
    overdue_days = IntegerField("Days without a visit before a family shows as overdue",
                                validators=[InputRequired(), NumberRange(1, 90)], default=7)
    planned_visits_per_week = IntegerField("Visits planned per family per week",
                                           validators=[InputRequired(), NumberRange(1, 14)], default=1)
    review_interval_weeks = IntegerField("Weeks between match reviews",
                                         validators=[InputRequired(), NumberRange(1, 52)], default=6)
    remember_device_days = IntegerField("Days a device may skip the second step (\u201cremember this device\u201d)",
                                        validators=[InputRequired(), NumberRange(0, 30)], default=0,
                                        description="0: every sign-in asks for the second factor.")
    submit = SubmitField("Save programme")


class InviteForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    phone = TelField("Phone", validators=[Length(max=40)])
    role = SelectField("Role", choices=enum_choices(Role))
    programme = SelectField("Programme", choices=[])
    submit = SubmitField("Send invitation")
