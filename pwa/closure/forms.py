"""The closure, reopening and legal-hold forms."""
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from pwa.families.forms import RealDateField
from pwa.models import ClosureReason
from pwa.web.forms import enum_choices, not_in_future


class CloseForm(FlaskForm):
    closed_on = RealDateField("Involvement ended on", validators=[
        InputRequired(message="Enter the date the family's involvement ended."), not_in_future])
    reason = SelectField("Why the case is closing", choices=enum_choices(ClosureReason))
    note = TextAreaField("Note", validators=[DataRequired(message="Write a short note on the closure."),
                                             Length(max=4000)],
                         description="What was achieved, and who now supports the family. The social worker "
                                     "is told the case closed (by reference only).")


class ReasonForm(FlaskForm):
    """Reopening a case, setting or lifting a legal hold: a reason is all it asks."""

    reason = TextAreaField("Reason", validators=[DataRequired(message="Say why."), Length(max=2000)])
