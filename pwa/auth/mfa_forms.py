"""Forms of the second step: a code (authenticator app or recovery), remembering the device."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(message="Enter the code."), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                                  "spellcheck": "false"})
    remember = BooleanField("Remember this device")


class EnrolForm(FlaskForm):
    code = StringField("6-digit code from the app", validators=[DataRequired(message="Enter the code."), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
