"""Programmes and accounts. Flush only."""
import sqlalchemy as sa

from pwa.core import audit
from pwa.auth.services import send_link
from pwa.core.extensions import db
from pwa.models import Programme, Role, TokenPurpose, User


class DuplicateEmail(Exception):
    """An account with that email already exists."""


def save_programme(actor: User, form, programme: Programme | None = None) -> Programme:
    """Create or update a programme from the form."""
    programme = programme or Programme()
    for field in ("name", "duty_email", "duty_phone", "ack_minutes_immediate", "ack_minutes_urgent",
                  "ack_minutes_worried", "overdue_days", "planned_visits_per_week", "review_interval_weeks",
                  "remember_device_days"):
        setattr(programme, field, getattr(form, field).data)
    programme.duty_email = programme.duty_email.strip().lower()
    programme.hourly_value_pence = int(round(form.hourly_value.data * 100))
    db.session.add(programme)
    db.session.flush()
    audit.record(db.session, actor, "programme saved", programme)
    return programme


def invite(actor: User, *, name: str, email: str, phone: str | None, role: Role, programme_id) -> User:
    """Create an account and email a one-time link to set its password."""
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DuplicateEmail(email)
    user = User(name=name.strip(), email=email, phone=(phone or "").strip() or None, role=role,
                programme_id=None if role is Role.admin else programme_id)
    db.session.add(user)
    db.session.flush()
    audit.record(db.session, actor, "account created", user)
    send_link(user, TokenPurpose.invite, inviter=actor)
    return user
