"""Readiness, matching, reviews, extensions and endings."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pwa.web.forms import enum_choices
from pwa.web.forms import not_in_future
from pwa.models import EndingReason


class ReadinessForm(FlaskForm):
    dbs_checked_on = DateField("DBS check date", validators=[Optional(), not_in_future])
    cp_trained_on = DateField("Child protection training date", validators=[Optional(), not_in_future])
    inducted_on = DateField("Induction completed on", validators=[Optional(), not_in_future])
    submit = SubmitField("Save readiness")


class MatchForm(FlaskForm):
    mentor = SelectField("Mentor", choices=[])
    started_on = DateField("Starts on", validators=[InputRequired(message="Enter the start date.")])
    agreed_end_on = DateField("Agreed end", validators=[Optional()],
                              description="Leave blank for six months after the start.")
    submit = SubmitField("Match mentor")


class ReviewForm(FlaskForm):
    held_on = DateField("Review held on", validators=[InputRequired(message="Enter the review date."), not_in_future])
    notes = TextAreaField("What the review found", validators=[DataRequired(), Length(max=8000)])
    next_review_on = DateField("Next review", validators=[Optional()],
                               description="Leave blank to follow the programme's review schedule.")
    submit = SubmitField("Record review")


class ExtendForm(FlaskForm):
    new_end_on = DateField("New end date", validators=[InputRequired(message="Enter the new end date.")])
    reason = TextAreaField("Why the match is being extended", validators=[DataRequired(), Length(max=4000)])
    submit = SubmitField("Extend match")


class EndForm(FlaskForm):
    ended_on = DateField("Ended on", validators=[InputRequired(message="Enter the end date."), not_in_future])
    reason = SelectField("How it ended", choices=enum_choices(EndingReason))
    summary = TextAreaField("Ending summary", validators=[DataRequired(), Length(max=8000)])
    submit = SubmitField("End match")
