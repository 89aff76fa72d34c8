"""Forms for the family record: plan details, people around the family, children, consent withdrawal."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from pwa.families.forms import ChildForm, RealDateField, not_in_future
from pwa.models import ConsentMethod, CPCategory, PersonKind
from pwa.web.forms import choices, enum_choices

NO_CATEGORY = ""


class PlanForm(FlaskForm):
    plan_started_on = RealDateField("Plan start date", validators=[Optional(), not_in_future])
    cp_category = SelectField("Child protection category",
                              choices=choices([(NO_CATEGORY, "Not a child protection plan / not known")])
                              + enum_choices(CPCategory))
    council_reference = StringField("Council's case reference", validators=[Optional(), Length(max=60)])
    next_conference_on = RealDateField("Next child protection conference", validators=[Optional()])
    next_core_group_on = RealDateField("Next core group", validators=[Optional()])
    next_review_on = RealDateField("Next review (CIN or plan review)", validators=[Optional()])
    risks = TextAreaField("Risks the mentor must know", validators=[Optional(), Length(max=4000)],
                          description="Shown to the mentor before every visit.")
    lone_working = TextAreaField("Lone-working notes", validators=[Optional(), Length(max=4000)],
                                 description="For example: visit only in daylight; a dog at the address; "
                                             "check in with the coordinator after each visit.")

    def values(self) -> dict:
        """The plan as plain values for the service."""
        data = {name: self[name].data for name in ("plan_started_on", "next_conference_on", "next_core_group_on",
                                                     "next_review_on")}
        data |= {name: (self[name].data or "").strip() or None for name in ("council_reference", "risks",
                                                                           "lone_working")}
        data["cp_category"] = CPCategory[self.cp_category.data] if self.cp_category.data else None
        return data


class PersonForm(FlaskForm):
    kind = HiddenField(default=PersonKind.parent_carer.name)
    name = StringField("Name", validators=[DataRequired(message="Enter a name."), Length(max=120)])
    role = StringField("Relationship or role", validators=[Optional(), Length(max=120)],
                       description="For example: mother, stepfather, health visitor, class teacher.")
    agency = StringField("Agency", validators=[Optional(), Length(max=120)])
    contact = StringField("Phone or email", validators=[Optional(), Length(max=200)])

    def validate_kind(self, field):
        """A parent or carer, or a professional."""
        if field.data not in PersonKind.__members__:
            raise ValidationError("Choose parent or carer, or professional.")


class CorrectChildForm(ChildForm):
    reason = StringField("Why this is being corrected", validators=[
        DataRequired(message="Say why the record is being corrected."), Length(max=500)])


class RemoveChildForm(FlaskForm):
    reason = StringField("Why this child is being removed", validators=[
        DataRequired(message="Say why the child is being removed."), Length(max=500)],
        description="For example: added to the wrong family; moved to live with their father.")


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = RealDateField("Consent withdrawn on", validators=[
        InputRequired(message="Enter the date consent was withdrawn."), not_in_future])
    method = SelectField("How the family said so", choices=enum_choices(ConsentMethod))
    note = TextAreaField("What the family said", validators=[Optional(), Length(max=2000)])
