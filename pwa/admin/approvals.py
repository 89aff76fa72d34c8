"""No one grants themselves case access: the two-person rule on accounts. Flush only.

A new account, or one whose role or programme changes, stays inactive until
a second person approves it: another admin, or a coordinator of its
programme who did not make the change. The programme's coordinators are told
(by reference only) when such an account is created, changed, approved or
re-enabled. A coordinator cannot undo an admin's disable, nor disable or
change a fellow coordinator.
"""
import sqlalchemy as sa
from flask import current_app

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.core.sessions import end_all_sessions
from pwa.models import Role, User
from pwa.outbox import mailer


class Refused(Exception):
    """The change is not this person's to make; the message says why."""


def reference(user: User) -> str:
    """A short reference for an account, safe to put in an email."""
    return str(user.id)[:8].upper()


def tell_coordinators(user: User, event: str) -> None:
    """Email the programme's coordinators that an account was created, changed, approved or re-enabled."""
    if user.programme_id is None:
        return
    q = sa.select(User.id).where(User.programme_id == user.programme_id, User.role == Role.coordinator,
                                 User.active.is_(True), User.id != user.id)
    base = current_app.config["BASE_URL"]
    for coordinator_id in db.session.scalars(q):
        mailer.queue_notice(coordinator_id, f"A Bridge account was {event}",
                            f"An account in your programme was {event}: reference {reference(user)}, "
                            f"role {user.role.value.lower()}.\n\nIf you did not expect this, check it in Bridge "
                            f"(sign-in needed): {base}/admin/approvals\n")


def hold_for_approval(actor: User, user: User, event: str) -> None:
    """Make the account inactive until a second person approves it, and tell the coordinators."""
    user.active, user.approval_requested_by_id = False, actor.id
    db.session.flush()
    end_all_sessions(user.id)
    audit.record(db.session, actor, f"account {event}, held", user)
    tell_coordinators(user, f"{event} and awaits approval")


def may_approve(actor: User, user: User) -> bool:
    """A second person: another admin, or a coordinator of the account's programme who made no change."""
    if not user.awaiting_approval or actor.id in (user.id, user.approval_requested_by_id):
        return False
    if actor.role is Role.admin:
        return True
    return (actor.role is Role.coordinator and user.role is not Role.admin
            and actor.programme_id == user.programme_id)


def approve(actor: User, user: User) -> None:
    """Approve an account held for approval: it becomes active."""
    if not user.awaiting_approval:
        raise Refused("This account is not waiting for approval.")
    if not may_approve(actor, user):
        raise Refused("A second person must approve this account: another admin, or a coordinator of its "
                      "programme who did not create or change it.")
    user.active, user.approval_requested_by_id, user.disabled_by_id = True, None, None
    user.approved_by_id, user.approved_at = actor.id, clock.now()
    audit.record(db.session, actor, "account approved", user)
    db.session.flush()
    tell_coordinators(user, "approved")


def _check_authority(actor: User, user: User, what: str) -> None:
    if user.id == actor.id:
        raise Refused(f"You cannot {what} your own account.")
    if actor.role is Role.coordinator and user.role is Role.coordinator:
        raise Refused(f"Only an admin can {what} a coordinator's account.")


def disable(actor: User, user: User) -> None:
    """Disable an account and end its sessions at once."""
    _check_authority(actor, user, "disable")
    user.active, user.disabled_by_id = False, actor.id
    end_all_sessions(user.id)
    audit.record(db.session, actor, "account disabled", user)
    db.session.flush()


def enable(actor: User, user: User) -> None:
    """Re-enable a disabled account (not one awaiting approval; an admin's disable only by an admin)."""
    _check_authority(actor, user, "enable")
    if user.awaiting_approval:
        raise Refused("This account is waiting for a second person's approval, not disabled.")
    disabled_by = db.session.get(User, user.disabled_by_id) if user.disabled_by_id else None
    if actor.role is not Role.admin and disabled_by is not None and disabled_by.role is Role.admin:
        raise Refused("An admin disabled this account: only an admin can enable it again.")
    if user.active:
        return
    user.active, user.disabled_by_id = True, None
    audit.record(db.session, actor, "account enabled", user)
    db.session.flush()
    tell_coordinators(user, "re-enabled")


def change_access(actor: User, user: User, role: Role, programme_id) -> bool:
    """Change an account's role or programme; the account is held until a second person approves it."""
    _check_authority(actor, user, "change")
    programme_id = None if role is Role.admin else programme_id
    if (role, programme_id) == (user.role, user.programme_id):
        return False
    user.role, user.programme_id = role, programme_id
    hold_for_approval(actor, user, "changed")
    return True
