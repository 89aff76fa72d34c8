"""A concern post refused for its CSRF token (a page left open, or a session that ended) loses nothing typed.

Signed in: the form comes back with everything typed and a fresh token, saying
plainly that nothing was sent yet. Signed out: a page shows what they typed, to
copy, with the numbers to phone and a way to sign in again.
"""
from flask import jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from pwa import access
from pwa.concerns.forms import AddendumForm, ConcernForm
from pwa.core.errors import wants_json
from pwa.models import Role

TYPED = ("what_seen", "child_words", "actions_taken", "who_called", "called_at", "facts")
AGAIN = ("This page had been open a while, so the concern was not sent yet. Everything you typed is still here: "
         "check it, then press Send the concern again.")


def refused_post(error: CSRFError):
    """Answer a concern or addendum post whose CSRF token was refused, keeping what was typed."""
    if wants_json() or request.is_json or request.endpoint not in ("concerns.new", "concerns.add_addendum"):
        return jsonify(error="Bad Request", message=error.description), 400
    if not current_user.is_authenticated:
        typed = [(name, request.form.get(name, "").strip()) for name in TYPED if request.form.get(name, "").strip()]
        return render_template("concerns/signed_out.html", typed=typed, labels=_labels()), 400
    if request.endpoint == "concerns.add_addendum":
        from pwa.concerns.views import _page

        concern = access.concern_for(current_user, request.view_args["concern_id"], "addendum")
        form = AddendumForm()
        form.form_errors.append(AGAIN.replace("the concern again", "this addition again"))
        return _page(concern, 400, addendum_form=form)
    if current_user.role is not Role.mentor:
        return jsonify(error="Bad Request", message=error.description), 400
    family = access.family_for(current_user, request.view_args["family_id"], "raise_concern")
    form = ConcernForm()
    form.form_errors.append(AGAIN)
    return render_template("concerns/form.html", family=family, programme=current_user.programme, form=form), 400


def _labels() -> dict:
    form = ConcernForm(formdata=None, meta={"csrf": False})
    labels = {f.name: f.label.text for f in form}
    labels["facts"] = AddendumForm.facts.args[0]
    return labels
