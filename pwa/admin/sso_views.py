"""An admin sets up a programme's single sign-on."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.admin import sso_settings
from pwa.admin.forms import SSOForm
from pwa.core.extensions import db
from pwa.models import ProgrammeSSO, Role

bp = Blueprint("sso_settings", __name__, url_prefix="/admin")


@bp.route("/programmes/<programme_id>/sso", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit(programme_id):
    """A programme's single sign-on: issuer, client, allowed domains and the role it is for."""
    programme = access.programme_for(current_user, programme_id)
    current = db.session.scalar(sa.select(ProgrammeSSO).where(ProgrammeSSO.programme_id == programme.id))
    form = SSOForm(data=None if current is None else {
        "enabled": current.enabled, "issuer": current.issuer, "client_id": current.client_id,
        "allowed_domains": current.allowed_domains, "role": current.role.name})
    if form.validate_on_submit():
        try:
            sso_settings.save_sso(current_user, programme, current, enabled=form.enabled.data,
                                  issuer=form.issuer.data, client_id=form.client_id.data,
                                  client_secret=form.client_secret.data or "", domains=form.allowed_domains.data,
                                  role=Role[form.role.data])
        except sso_settings.SecretNeeded:
            form.client_secret.errors.append("Enter the client secret the council's provider gave you.")
        else:
            db.session.commit()
            flash("Single sign-on saved.", "info")
            return redirect(url_for("admin.programmes"))
    return render_template("admin/sso_settings.html", form=form, programme=programme, current=current), \
        422 if form.errors else 200
