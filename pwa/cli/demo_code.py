"""The demo's second factor: every demo account shares a published authenticator secret.

`flask --app wsgi demo-code EMAIL` prints a demo account's current 6-digit code. It answers only in
development (bin/run-dev sets BRIDGE_DEVELOPMENT=1) and only for a demo account still using the
demo secret, so it can never read a real person's codes.
"""
import click
import pyotp
from flask import current_app
from flask.cli import with_appcontext

from pwa.auth import totp
from pwa.core.extensions import db

DEMO_TOTP_SECRET = "BRIDGEDEMOBRIDGEDEMOBRIDGEDEMO23"  # published in the README: demo accounts only


def enrol_demo(user) -> None:
    """Give a demo account the demo authenticator secret."""
    totp.enrol_fixed(user, DEMO_TOTP_SECRET)


def print_how() -> None:
    """Tell the person at the terminal how to pass the second step."""
    click.echo(f"Second step: add the setup key {totp.grouped(DEMO_TOTP_SECRET)} (time-based, 6 digits) to an "
               "authenticator app,")
    click.echo("  or print the current code with: .venv/bin/flask --app wsgi demo-code EMAIL")


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code_command(email: str) -> None:
    """Print a demo account's current authenticator code (development only)."""
    import sqlalchemy as sa

    from pwa.models import User

    if not current_app.config["DEVELOPMENT"]:
        raise click.ClickException("demo-code works only in development (BRIDGE_DEVELOPMENT=1, set by make run)")
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    row = totp.confirmed(user.id) if user else None
    if row is None or str(row.secret) != DEMO_TOTP_SECRET:
        raise click.ClickException("that is not a demo account using the demo authenticator secret")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())
