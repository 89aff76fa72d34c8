"""Flask CLI commands: demo data, admin accounts, keys, audit, the worker."""
import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from pwa.core.extensions import db


def register(app: Flask) -> None:
    """Attach the commands."""
    from pwa.cli.demo import demo_data_command
    from pwa.cli.demo_code import demo_code_command

    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(create_admin)
    app.cli.add_command(keys)
    app.cli.add_command(audit_group)
    app.cli.add_command(worker)


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", default="Administrator")
def create_admin(email: str, name: str) -> None:
    """Create an admin account and print a one-time link to set its password."""
    from pwa.admin.services import DuplicateEmail
    from pwa.auth.services import issue_link
    from pwa.models import Role, TokenPurpose, User

    email = email.strip().lower()
    if db.session.scalar(db.select(User).where(User.email == email)):
        raise click.ClickException(f"{email} already has an account") from DuplicateEmail(email)
    user = User(email=email, name=name, role=Role.admin)
    db.session.add(user)
    db.session.flush()
    token = issue_link(user, TokenPurpose.invite)
    db.session.commit()
    click.echo(f"Admin created. Set the password (link works once): "
               f"{current_app.config['BASE_URL']}/account/set-password/{token}")


@click.group("keys", cls=AppGroup)
def keys() -> None:
    """Data-key management."""


@keys.command("rotate")
@click.option("--reencrypt-only", is_flag=True, help="Keys come from BRIDGE_DATA_KEYS: re-encrypt under its current key.")
def rotate(reencrypt_only: bool) -> None:
    """Add a new data key, make it current and re-encrypt every field under it."""
    from pwa.crypto import rotation

    result = rotation.rotate(reencrypt_only=reencrypt_only)
    click.echo(result)


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Audit trail commands."""


@audit_group.command("verify")
def verify() -> None:
    """Check the audit hash chain and report the first break."""
    from pwa.core import audit

    verdict = audit.verify(db.session)
    click.echo(verdict.message)
    if not verdict.ok:
        raise SystemExit(1)


@click.command("worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
def worker(once: bool) -> None:
    """Run the outbox worker: deliver alerts and emails, retry, escalate."""
    import logging

    from pwa.outbox import worker as outbox_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    outbox_worker.Worker(current_app._get_current_object()).run(once=once)
