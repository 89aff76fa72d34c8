"""Programme settings and account invitations."""
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField,
                     SubmitField, TelField, TextAreaField, URLField)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, ValidationError

from pwa.web.forms import FiniteDecimalField, enum_choices
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
    hourly_value = FiniteDecimalField("Value of an hour of volunteer time (£)", places=2,
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


class AccessForm(FlaskForm):
    """A role or programme change: the account is held until a second person approves it."""

    role = SelectField("Role", choices=enum_choices(Role))
    programme = SelectField("Programme", choices=[])
    submit = SubmitField("Change and ask for approval")


def _issuer_url(form, field):
    """An https URL (plain http only to this machine, for development and tests)."""
    parts = urlsplit((field.data or "").strip())
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or (parts.scheme != "https" and not loopback) or parts.query or parts.fragment:
        raise ValidationError("Enter the issuer's https address, exactly as the council's provider gives it.")


def _domains(form, field):
    """Email domains, one per line."""
    for domain in (field.data or "").lower().split():
        if "." not in domain or "@" in domain or not all(p.isalnum() or "-" in p for p in domain.split(".")):
            raise ValidationError(f"'{domain}' is not an email domain (for example council.example.gov.uk).")


class SSOForm(FlaskForm):
    """A programme's single sign-on through its council's OpenID provider."""

    enabled = BooleanField("Council staff may sign in through single sign-on", default=True)
    issuer = URLField("Issuer", validators=[DataRequired(), Length(max=300), _issuer_url],
                      description="The OpenID provider's issuer address, e.g. https://login.council.example.gov.uk")
    client_id = StringField("Client ID", validators=[DataRequired(), Length(max=200)])
    client_secret = PasswordField("Client secret", validators=[Length(max=500)],
                                  description="Stored encrypted. Leave blank to keep the saved secret.")
    allowed_domains = TextAreaField("Allowed email domains", validators=[DataRequired(), _domains],
                                    description="One per line. Only invited accounts at these domains can sign in.")
    role = SelectField("For accounts with the role", default="social_worker",
                       choices=enum_choices(Role, (Role.social_worker, Role.coordinator, Role.mentor)))
    submit = SubmitField("Save single sign-on")
