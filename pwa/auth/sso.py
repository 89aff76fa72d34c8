"""Single sign-on for council staff through their council's OpenID provider.

The programme's admin sets the provider up (issuer, client, allowed email
domains, the role it is for). A person starts from the sign-in page with their
work email; the email's domain picks the programme's provider. Coming back, the
ID token's email must be at an allowed domain and belong to an account someone
already invited (single sign-on never creates accounts), with the role the
programme's single sign-on is for, active and approved. The council's provider
does the second factor, so the session counts as multi-factor (`session["mfa"] = "sso"`).
"""
import uuid

import sqlalchemy as sa
from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_login import login_user
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from pwa.auth import oidc
from pwa.core import audit, clock, refusals
from pwa.core.extensions import db
from pwa.models import ProgrammeSSO, User

bp = Blueprint("sso", __name__)
PENDING = "sso_pending"
FLOW_SECONDS = 600  # a sign-in must come back within ten minutes
NOT_INVITED = ("No Bridge account has been set up for {email}. Accounts are made only by invitation: "
               "ask your coordinator to invite you, then sign in here again.")


class StartForm(FlaskForm):
    email = EmailField("Work email", validators=[DataRequired(message="Enter your work email."), Email(),
                                                 Length(max=254)],
                       description="The email your council gave you.")


def client_for(config: ProgrammeSSO) -> oidc.Client:
    """The relying party's settings for one programme's provider."""
    return oidc.Client(config.issuer, config.client_id, str(config.client_secret),
                       current_app.config["BASE_URL"] + url_for("sso.callback"))


def config_for_email(email: str) -> ProgrammeSSO | None:
    """The enabled single sign-on whose allowed domains include the email's (the invited account's first)."""
    configs = [c for c in db.session.scalars(sa.select(ProgrammeSSO).where(ProgrammeSSO.enabled.is_(True)))
               if c.allows(email)]
    user = db.session.scalar(sa.select(User).where(User.email == email)) if len(configs) > 1 else None
    mine = [c for c in configs if user is not None and c.programme_id == user.programme_id]
    return (mine or configs or [None])[0]


def account_for(config: ProgrammeSSO, claims: dict) -> tuple[User | None, str]:
    """The invited account the verified claims belong to, or None and what to tell the person."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        return None, "Your organisation did not confirm your email address, so Bridge cannot find your account."
    if not config.allows(email):
        return None, (f"Single sign-on for this programme accepts only email addresses at "
                      f"{', '.join(config.domains)}. Sign in with the account your council gave you.")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or user.programme_id != config.programme_id:
        return None, NOT_INVITED.format(email=email)
    if user.role is not config.role:
        return None, (f"Single sign-on in this programme is for {config.role.value.lower()}s. "
                      f"Sign in with your email and password instead.")
    if user.awaiting_approval:
        return None, "Your account is waiting for a second person's approval. You can sign in once it is approved."
    if not user.active:
        return None, "This account is disabled. Ask your coordinator."
    return user, ""


@bp.route("/sso", methods=["GET", "POST"])
def start():
    """Start single sign-on with a work email."""
    form = StartForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        config = config_for_email(email)
        if config is None:
            form.email.errors.append("Single sign-on is not set up for this email's organisation. "
                                     "Sign in with your email and password instead.")
        else:
            try:
                url, pending = oidc.begin(client_for(config), login_hint=email)
            except oidc.SignInFailed as failed:
                return _refused(None, str(failed), 502)
            flows = {s: f for s, f in session.get(PENDING, {}).items() if _fresh(f)}
            flows[pending["state"]] = dict(pending, config=str(config.id), at=clock.now().timestamp())
            session[PENDING] = flows
            return redirect(url)
    return render_template("auth/sso.html", form=form), 422 if form.errors else 200


def _fresh(flow: dict) -> bool:
    return clock.now().timestamp() - flow.get("at", 0) < FLOW_SECONDS


@bp.route("/sso/callback")
def callback():
    """Come back from the provider: check everything, then sign the invited account in."""
    db.session.rollback()
    g.writing = True  # this GET signs someone in: SQLite takes the write lock up front
    flows = dict(session.get(PENDING, {}))
    flow = flows.pop(request.args.get("state", ""), None)
    session[PENDING] = flows  # a state works once, whatever happens next
    if flow is None or not _fresh(flow):
        return _refused(None, "This sign-in has already been used or has expired. Start again.", 400)
    config = db.session.get(ProgrammeSSO, uuid.UUID(flow["config"]))
    if config is None or not config.enabled or request.args.get("error") or not request.args.get("code"):
        return _refused(None, "The sign-in did not complete at your organisation. Start again.", 400)
    try:
        claims = oidc.finish(client_for(config), flow, request.args["code"])
    except oidc.SignInFailed as failed:
        return _refused(None, str(failed), 401)
    user, problem = account_for(config, claims)
    if user is None:
        return _refused(None, problem, 403)
    session.clear()
    session.regenerate()
    login_user(user)
    session["mfa"] = "sso"  # the council's provider did the second factor
    audit.record(db.session, user, "sign-in (single sign-on)", user)
    db.session.commit()
    return redirect(url_for("main.home"))


def _refused(user, message: str, status: int):
    """Say why in words, and leave an audit row of the refused sign-in."""
    refusals.record(user, "sso sign-in", "users", getattr(user, "id", None))
    return render_template("auth/sso.html", form=StartForm(formdata=None), problem=message), status
