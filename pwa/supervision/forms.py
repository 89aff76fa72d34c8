"""Supervision session form."""
from flask_wtf import FlaskForm
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.web.forms import not_in_future


def after_held(form, field):
    """The next session falls after this one."""
    if field.data and form.held_on.data and field.data <= form.held_on.data:
        raise ValidationError("The next session must be after this one.")


class SupervisionForm(FlaskForm):
    held_on = DateField("Held on", validators=[InputRequired(message="Enter the date."), not_in_future])
    notes = TextAreaField("Notes", validators=[DataRequired(), Length(max=8000)],
                          description="Kept encrypted. The mentor does not see these notes.")
    next_on = DateField("Next session", validators=[Optional(), after_held])
    submit = SubmitField("Record supervision")


class ReviewEntryForm(FlaskForm):
    comment = TextAreaField("Comment back to the mentor (optional)", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Mark reviewed")
