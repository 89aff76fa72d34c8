"""The family record's routes: plan details, parents and carers, professionals, children, consent withdrawal."""
from flask import render_template, request
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.core import clock
from pwa.families import record
from pwa.families.forms import ChildForm, ConsentForm
from pwa.families.record_forms import CorrectChildForm, PersonForm, PlanForm, RemoveChildForm, WithdrawConsentForm
from pwa.families.views import bp, reassign_form
from pwa.models import ConsentMethod, PersonKind, Role
from pwa.web.posts import done, handle_form

STAFF = (Role.coordinator, Role.social_worker)


def _prefix(kind: str, child) -> str:
    return f"{kind}{child.id.hex[:8]}"


def child_forms(family, **given) -> dict:
    """A correction and a removal form for each child, filled with what is recorded."""
    out = {}
    for child in family.children:
        correct = given.get(_prefix("c", child)) or CorrectChildForm(formdata=None, obj=child,
                                                                     prefix=_prefix("c", child))
        remove = given.get(_prefix("r", child)) or RemoveChildForm(formdata=None, prefix=_prefix("r", child))
        out[child.id] = (correct, remove)
    return out


def render_family(family, status: int = 200, **forms):
    """The family page with the record and its forms (a failed form keeps what was typed).

    The forms are built only for staff on an open case, the only page that shows them: a mentor's
    page, or a closed case's, drew none of its eight forms but paid for building them.
    """
    plan, people = access.family_record(current_user, family)
    match = access.active_matches_for_families(current_user, [family.id]).get(family.id)
    staff = current_user.role in STAFF
    editable = staff and not family.closed
    context = _record_forms(family, plan, forms) if editable else {}
    context.update({k: v for k, v in forms.items() if k.endswith("_form")})  # a closed case's reopen form too
    people_by_kind = {kind.name: [p for p in people if p.kind is kind] for kind in PersonKind}
    return render_template("families/show.html", family=family, match=match, today=clock.today(), plan=plan,
                           people=people_by_kind, staff=staff, editable=editable, **context), status


def _record_forms(family, plan, given: dict) -> dict:
    """The page's forms, filled with what is recorded (a child's failed form, in `given`, kept)."""
    parent = PersonForm(formdata=None, prefix="parent", kind=PersonKind.parent_carer.name)
    professional = PersonForm(formdata=None, prefix="pro", kind=PersonKind.professional.name)
    context = dict(consent_form=ConsentForm(formdata=None), child_form=ChildForm(formdata=None),
                   reassign_form=reassign_form(family), plan_form=PlanForm(formdata=None, obj=plan),
                   parent_form=parent, professional_form=professional,
                   withdraw_form=WithdrawConsentForm(formdata=None))
    if plan is not None and plan.cp_category and not given.get("plan_form"):
        context["plan_form"].cp_category.data = plan.cp_category.name
    context["child_forms"] = child_forms(family, **given)
    return context


def _back(family, message: str):
    return done(message, "families.show", family_id=family.id)


@bp.route("/<family_id>/plan", methods=["POST"])
@roles_required(*STAFF)
def update_plan(family_id):
    """Record the plan's details, risks and lone-working notes."""
    family = access.family_for(current_user, family_id, "edit")
    return handle_form(PlanForm(), lambda f: record.update_plan(current_user, family, f.values()),
                       "Plan details saved.", lambda f: render_family(family, 422, plan_form=f),
                       "families.show", family_id=family.id)


@bp.route("/<family_id>/people", methods=["POST"])
@roles_required(*STAFF)
def add_person(family_id):
    """Add a parent or carer, or a key professional."""
    family = access.family_for(current_user, family_id, "edit")
    prefix = "pro" if request.form.get("pro-kind") else "parent"
    form = PersonForm(prefix=prefix)
    if form.validate_on_submit():
        kind = PersonKind[form.kind.data]
        record.add_person(current_user, family, kind, name=form.name.data, role=form.role.data,
                          agency=form.agency.data, contact=form.contact.data)
        return _back(family, f"{kind.value} added.")
    return render_family(family, 422, **{"professional_form" if prefix == "pro" else "parent_form": form})


@bp.route("/<family_id>/people/<person_id>/remove", methods=["POST"])
@roles_required(*STAFF)
def remove_person(family_id, person_id):
    """Take a person off the family's record."""
    family = access.family_for(current_user, family_id, "edit")
    person = access.person_for(current_user, family, person_id)
    record.remove_person(current_user, person)
    return _back(family, "Removed from the record.")


@bp.route("/<family_id>/children/<child_id>", methods=["POST"])
@roles_required(*STAFF)
def correct_child(family_id, child_id):
    """Correct a child's name or dates, saying why."""
    return _child_form(family_id, child_id, CorrectChildForm, "c", lambda child, f: record.correct_child(
        current_user, child, first_name=f.first_name.data, date_of_birth=f.date_of_birth.data,
        expected_on=f.expected_on.data, reason=f.reason.data), "Child's details corrected.")


@bp.route("/<family_id>/children/<child_id>/remove", methods=["POST"])
@roles_required(*STAFF)
def remove_child(family_id, child_id):
    """Remove a child from the family's record, saying why."""
    return _child_form(family_id, child_id, RemoveChildForm, "r",
                       lambda child, f: record.remove_child(current_user, child, f.reason.data),
                       "Child removed from the record.")


def _child_form(family_id, child_id, form_class, kind: str, save, message: str):
    """Validate one child's correction or removal form, `save(child, form)` and go back to the family."""
    family = access.family_for(current_user, family_id, "edit")
    child = access.child_for(current_user, family, child_id)
    name = _prefix(kind, child)
    return handle_form(form_class(prefix=name), lambda f: save(child, f), message,
                       lambda f: render_family(family, 422, **{name: f}), "families.show", family_id=family.id)


@bp.route("/<family_id>/consent/withdraw", methods=["POST"])
@roles_required(*STAFF)
def withdraw_consent(family_id):
    """Record that the family has withdrawn its consent: new visits stop at once."""
    family = access.family_for(current_user, family_id, "record_consent")
    form = WithdrawConsentForm()
    if not family.has_consent:
        form.form_errors.append("There is no consent to withdraw.")
    elif form.validate_on_submit():
        record.withdraw_consent(current_user, family, withdrawn_on=form.withdrawn_on.data,
                                method=ConsentMethod[form.method.data], note=form.note.data)
        return _back(family, "Consent withdrawal recorded. The coordinator and social worker have been told.")
    return render_family(family, 422, withdraw_form=form)
