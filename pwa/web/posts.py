"""The shape most POST views share: validate the form, call the service, commit once, say so, redirect.

A view scopes its object through `access` first, then hands the rest to one of these, e.g.::

    return handle_form(DismissForm(), lambda f: services.dismiss(current_user, item, f.note.data),
                       "Dismissed, with your note.", lambda f: _page(item, 422, dismiss_form=f),
                       "quarantine.index")

`endpoint` and `**values` go to `url_for` (so `_anchor="debrief"` adds a fragment).
"""
from collections.abc import Callable

from flask import flash, redirect, url_for

from pwa.core.extensions import db


def done(message: str, endpoint: str, **values):
    """Commit the request's one transaction, flash `message` and redirect to `endpoint`."""
    db.session.commit()
    flash(message, "info")
    return redirect(url_for(endpoint, **values))


def handle_form(form, save: Callable, message, invalid, endpoint: str, **values):
    """Validate `form`; when valid, `save(form)`, commit, flash `message` and redirect to `endpoint`.

    `message` is the text, or a callable given what `save` returned. `invalid` is a callable answering
    the page again with the form's errors, or a text flashed as an error before the same redirect.
    """
    if not form.validate_on_submit():
        if callable(invalid):
            return invalid(form)
        flash(invalid, "error")
        return redirect(url_for(endpoint, **values))
    result = save(form)
    return done(message(result) if callable(message) else message, endpoint, **values)


def attempt(action: Callable, refused: type[Exception] | tuple, message: str, endpoint: str, **values):
    """Run `action()`; a `refused` exception is flashed as an error and nothing is committed."""
    try:
        action()
    except refused as why:
        flash(str(why), "error")
        return redirect(url_for(endpoint, **values))
    return done(message, endpoint, **values)
