"""Dealing with a held entry: turn it into a record, or dismiss it with a note."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class RecordForm(FlaskForm):
    """Turn the held entry into a record (a button: the CSRF token is the whole form)."""


class DismissForm(FlaskForm):
    note = TextAreaField("Why you are dismissing it", validators=[
        DataRequired(message="Say what you did about it, for example that you phoned the mentor."), Length(max=2000)],
        description="For example: phoned the mentor; re-entered it as concern SC-…; a duplicate of an earlier visit.")
