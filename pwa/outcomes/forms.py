"""The outcome reading form: a family's and a mentor's score for each area of the framework."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from pwa.web.forms import not_in_future
from pwa.web.forms import enum_choices
from pwa.models import ReadingOccasion

PERSPECTIVES = (("family", "Family"), ("mentor", "Mentor"))


class ReadingForm(FlaskForm):
    framework_key = HiddenField("Outcome framework")
    taken_on = DateField("Date", validators=[InputRequired(message="Enter the date of the reading."), not_in_future])
    occasion = RadioField("Occasion", choices=enum_choices(ReadingOccasion), default=ReadingOccasion.review.name)
    note = TextAreaField("Notes", validators=[Optional(), Length(max=4000)],
                         description="Optional: what the family said about their scores, or why your views differ.")

    framework = None

    def area_fields(self):
        """(area, family field, mentor field) for each area, in the framework's order."""
        return [(area, self[f"family_{i}"], self[f"mentor_{i}"]) for i, area in enumerate(self.framework.areas)]

    def scores(self) -> dict:
        """Area id -> (family's score, mentor's score)."""
        return {area.id: (fam.data, men.data) for area, fam, men in self.area_fields()}

    def validate_framework_key(self, field):
        """The form was drawn for the framework still in use."""
        if field.data != self.framework.key:
            raise ValidationError("The outcome framework has changed since this form was opened: fill it in again.")

    def error_list(self) -> list[tuple[str, str]]:
        """Every error as (field id, 'Label: message')."""
        names = {f.name: f"{area.name}: {f.label.text.lower()}'s score" for area, *pair in self.area_fields()
                 for f in pair}
        out = [("", message) for message in self.form_errors]
        return out + [(f.id, f"{names.get(f.name, f.label.text)}: {' '.join(f.errors)}") for f in self if f.errors]

    def validate(self, extra_validators=None) -> bool:
        """Every field, and at least one score."""
        ok = super().validate(extra_validators)
        if ok and not any(v is not None for pair in self.scores().values() for v in pair):
            self.form_errors.append("Give at least one score.")
            return False
        return ok


def reading_form(framework, **kwargs) -> ReadingForm:
    """A reading form for a framework: two score fields per area, on the framework's scale."""
    lo, hi = framework.scale_min, framework.scale_max
    fields = {}
    for i, area in enumerate(framework.areas):
        for who, label in PERSPECTIVES:
            fields[f"{who}_{i}"] = IntegerField(
                label, render_kw={"min": lo, "max": hi, "inputmode": "numeric"},
                validators=[Optional(), NumberRange(lo, hi, message=f"Enter a whole number from {lo} to {hi}.")])
    form = type("FrameworkReadingForm", (ReadingForm,), fields)(**kwargs)
    form.framework = framework
    if form.framework_key.data is None:
        form.framework_key.data = framework.key
    return form
