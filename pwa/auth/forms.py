"""Sign-in and password forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from pwa.auth.strength import weakness

MIN_PASSWORD = 12


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Sign in")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200,
                                           message=f"Use at least {MIN_PASSWORD} characters.")],
        description=f"At least {MIN_PASSWORD} characters. A short sentence is easy to remember.",
    )
    confirm = PasswordField("Type it again", validators=[DataRequired(), EqualTo("password", "The two passwords differ.")])
    submit = SubmitField("Save password")

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person  # whose password: their own name and email are refused

    def validate_password(self, field) -> None:
        """Refuse a password that is easy to guess, saying why."""
        if field.data and len(field.data) >= MIN_PASSWORD:
            problem = weakness(field.data, email=getattr(self.person, "email", ""),
                               name=getattr(self.person, "name", ""))
            if problem:
                raise ValidationError(problem)


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email()])
    submit = SubmitField("Email me a link")


class PreferencesForm(FlaskForm):
    digest_emails = BooleanField("Weekly digest of what needs acting on (coordinators)")
    reminder_emails = BooleanField("Reminders of contacts I planned (mentors)")
    submit = SubmitField("Save email choices")
