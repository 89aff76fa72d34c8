"""No one grants themselves case access: a second person approves every account that can see case content."""
import html
import re

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import AuditEvent, MailKind, OutboxMessage, Role, User, WebSession
from tests.conftest import csrf_from

NEW_PASSWORD = "a long new password"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _mail(app, kind=None) -> list[OutboxMessage]:
    with app.app_context():
        q = sa.select(OutboxMessage).order_by(OutboxMessage.created_at)
        rows = db.session.scalars(q if kind is None else q.where(OutboxMessage.kind == kind)).all()
        return [(m.to_address, m.subject, m.body_text) for m in rows]


def _user(app, email) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _invite(auth, world, email, role="coordinator", name="Ivy Insider"):
    return auth.post("/admin/users/invite", {"name": name, "email": email, "phone": "", "role": role,
                                             "programme": str(world.programme.id)}, token_from="/admin/users/invite")


def _set_password_from_link(app, client, email):
    [body] = [b for to, subject, b in _mail(app, MailKind.account) if to == email]
    link = re.search(r"http://bridge\.test(/account/set-password/[\w-]+)", body).group(1)
    page = client.get(link).get_data(as_text=True)
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                   "csrf_token": csrf_from(page)}).status_code == 302


def test_an_admin_alone_cannot_make_an_account_that_reads_a_family(world, auth, app, client, make_user):
    auth.login(world.admin)
    assert _invite(auth, world, "insider@example.org").status_code == 302
    auth.logout()
    _set_password_from_link(app, client, "insider@example.org")
    refused = auth.login("insider@example.org", NEW_PASSWORD)
    assert refused.status_code == 200 and "do not match an active account" in _text(refused)
    assert auth.client.get(f"/families/{world.family.id}").status_code == 302  # to sign-in

    auth.login(world.admin)  # the same admin cannot approve their own invitation
    insider = _user(app, "insider@example.org")
    page = auth.client.get("/admin/approvals").get_data(as_text=True)
    assert "You made this change, so someone else must approve it." in page and "Approve</button>" not in page
    r = auth.post(f"/admin/users/{insider.id}/approve", token_from="/admin/approvals", follow_redirects=True)
    assert "A second person must approve this account" in _text(r)
    assert _user(app, "insider@example.org").active is False
    auth.logout()

    second_admin = make_user(Role.admin)
    auth.login(second_admin)
    r = auth.post(f"/admin/users/{insider.id}/approve", token_from="/admin/approvals", follow_redirects=True)
    assert "Account approved" in _text(r)
    auth.logout()
    assert auth.login("insider@example.org", NEW_PASSWORD).status_code == 302
    assert auth.client.get(f"/families/{world.family.id}").status_code == 200


def test_a_coordinator_approves_what_an_admin_made_but_not_what_they_made(world, auth, app, make_user):
    auth.login(world.coordinator)
    _invite(auth, world, "newmentor@example.org", role="mentor")
    mine = _user(app, "newmentor@example.org")
    r = auth.post(f"/admin/users/{mine.id}/approve", token_from="/admin/approvals", follow_redirects=True)
    assert "A second person must approve" in _text(r)
    auth.logout()
    auth.login(world.admin)
    _invite(auth, world, "newsw@example.org", role="social_worker")
    auth.logout()
    auth.login(world.coordinator)
    theirs = _user(app, "newsw@example.org")
    r = auth.post(f"/admin/users/{theirs.id}/approve", token_from="/admin/approvals", follow_redirects=True)
    assert "Account approved" in _text(r)
    assert _user(app, "newsw@example.org").active and not _user(app, "newmentor@example.org").active
    far = make_user(Role.coordinator, world.other_programme)  # another programme's coordinator: not theirs
    auth.logout()
    auth.login(far)
    assert auth.post(f"/admin/users/{mine.id}/approve", token_from="/admin/users").status_code == 404


def test_coordinators_are_told_by_reference_when_accounts_are_created_approved_and_re_enabled(world, auth, app,
                                                                                          make_user):
    auth.login(world.admin)
    _invite(auth, world, "told@example.org", role="mentor", name="Secret Name")
    auth.logout()
    told = _user(app, "told@example.org")
    colleague = make_user(Role.coordinator, world.programme)
    auth.login(colleague)
    auth.post(f"/admin/users/{told.id}/approve", token_from="/admin/approvals")
    auth.post(f"/admin/users/{told.id}/disable", token_from="/admin/users")
    auth.post(f"/admin/users/{told.id}/enable", token_from="/admin/users")
    notices = [(s, b) for to, s, b in _mail(app, MailKind.notice) if to == world.coordinator.email]
    assert [s for s, b in notices] == ["A Bridge account was created and awaits approval",
                                       "A Bridge account was approved", "A Bridge account was re-enabled"]
    reference = str(told.id)[:8].upper()
    for _subject, body in notices:
        assert reference in body and "Secret Name" not in body and "told@example.org" not in body
    assert not [to for to, s, b in _mail(app, MailKind.notice) if to == world.far_coordinator.email]


def test_a_coordinator_cannot_undo_an_admins_disable(world, auth, app):
    auth.login(world.admin)
    auth.post(f"/admin/users/{world.mentor.id}/disable", token_from="/admin/users")
    auth.logout()
    auth.login(world.coordinator)
    r = auth.post(f"/admin/users/{world.mentor.id}/enable", token_from="/admin/users", follow_redirects=True)
    assert "An admin disabled this account: only an admin can enable it again." in _text(r)
    assert _user(app, world.mentor.email).active is False
    auth.logout()
    auth.login(world.admin)
    auth.post(f"/admin/users/{world.mentor.id}/enable", token_from="/admin/users")
    assert _user(app, world.mentor.email).active is True


def test_a_coordinator_cannot_disable_or_change_a_fellow_coordinator(world, auth, app, make_user):
    colleague = make_user(Role.coordinator, world.programme)
    auth.login(world.coordinator)
    r = auth.post(f"/admin/users/{colleague.id}/disable", token_from="/admin/users", follow_redirects=True)
    assert "Only an admin can disable a coordinator's account." in _text(r)
    page = f"/admin/users/{colleague.id}/access"
    r = auth.post(page, {"role": "mentor", "programme": str(world.programme.id)}, token_from=page,
                  follow_redirects=True)
    assert "Only an admin can change a coordinator's account." in _text(r)
    after = _user(app, colleague.email)
    assert after.active and after.role is Role.coordinator


def test_a_role_change_holds_the_account_until_a_second_person_approves(world, auth, app):
    auth.login(world.mentor)
    auth.logout()
    auth.login(world.coordinator)
    page = f"/admin/users/{world.mentor.id}/access"
    r = auth.post(page, {"role": "social_worker", "programme": str(world.programme.id)}, token_from=page,
                  follow_redirects=True)
    assert "waits for a second person's approval" in _text(r)
    changed = _user(app, world.mentor.email)
    assert changed.role is Role.social_worker and changed.active is False
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(WebSession.user_id == world.mentor.id)) == 0
    r = auth.post(f"/admin/users/{world.mentor.id}/enable", token_from="/admin/users", follow_redirects=True)
    assert "waiting for a second person's approval, not disabled" in _text(r)
    auth.logout()
    auth.login(world.admin)
    auth.post(f"/admin/users/{world.mentor.id}/approve", token_from="/admin/approvals")
    assert _user(app, world.mentor.email).active is True


def test_resend_invitation_is_refused_for_an_account_with_a_password(world, auth, app):
    auth.login(world.coordinator)
    r = auth.post(f"/admin/users/{world.mentor.id}/resend", token_from="/admin/users", follow_redirects=True)
    assert "already set a password, so no invitation was sent" in _text(r)
    assert [to for to, s, b in _mail(app, MailKind.account)] == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "invite sent")) == 0
