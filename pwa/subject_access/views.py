"""The family's subject-access export and its "who has seen this record" page (its coordinator only)."""
from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.models import Role
from pwa.subject_access import export, trail, words
from pwa.subject_access.forms import ExportForm

bp = Blueprint("subject_access", __name__)


@bp.route("/families/<family_id>/who-has-seen")
@roles_required(Role.coordinator)
def who_has_seen(family_id):
    """Every read and write of the family's record, newest first, filtered by person, kind and dates."""
    family = access.family_for(current_user, family_id, "who_has_seen")
    filters, problem = trail.filters_from(request.args)
    page, people = trail.page(family, filters)
    return render_template("subject_access/who_has_seen.html", family=family, filters=filters, problem=problem,
                           page=page, people=people, kinds=words.KINDS)


@bp.route("/families/<family_id>/subject-access", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def subject_access(family_id):
    """Ask why, then download everything Bridge holds about the family as one zip; audited as an export."""
    family = access.family_for(current_user, family_id, "subject_access")
    form = ExportForm()
    if not form.validate_on_submit():
        earlier = export.earlier(family)
        return render_template("subject_access/export.html", family=family, form=form, earlier=earlier,
                               names=trail.people_by_id(e.made_by_id for e in earlier),
                               contents=export.CONTENTS), 422 if form.is_submitted() else 200
    body = export.zip_for(current_user, family, form.reason.data.strip())
    export.record(current_user, family, form.reason.data.strip())
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="subject-access-{family.reference}.zip"',
        "Cache-Control": "no-store"})
