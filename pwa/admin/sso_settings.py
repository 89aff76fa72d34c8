"""Saving a programme's single sign-on settings. Flush only."""
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Programme, ProgrammeSSO, Role, User


class SecretNeeded(Exception):
    """A new single sign-on needs its client secret."""


def save_sso(actor: User, programme: Programme, current: ProgrammeSSO | None, *, enabled: bool, issuer: str,
             client_id: str, client_secret: str, domains: str, role: Role) -> ProgrammeSSO:
    """Create or change a programme's single sign-on; a blank secret keeps the saved one."""
    if current is None and not client_secret.strip():
        raise SecretNeeded()
    sso = current or ProgrammeSSO(programme_id=programme.id)
    sso.enabled, sso.issuer, sso.client_id, sso.role = enabled, issuer.strip(), client_id.strip(), role
    sso.allowed_domains = "\n".join(sorted(set(domains.lower().split())))
    if client_secret.strip():
        sso.client_secret = client_secret.strip()
    db.session.add(sso)
    db.session.flush()
    audit.record(db.session, actor, "single sign-on saved", programme)
    return sso
