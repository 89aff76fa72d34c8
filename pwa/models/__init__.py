"""All models, imported so the metadata is complete."""
from pwa.models.account import AccountToken, LoginThrottle, WebSession
from pwa.models.audit import AuditEvent, AuditHead
from pwa.models.enums import ConsentMethod, EndingReason, PlanType, Role, Stage, TokenPurpose
from pwa.models.family import Child, Family
from pwa.models.match import Match, MatchExtension, MatchReview
from pwa.models.outbox import MailKind, MailStatus, OutboxMessage
from pwa.models.programme import Programme
from pwa.models.supervision import SupervisionSession
from pwa.models.user import User

__all__ = [
    "AccountToken", "AuditEvent", "AuditHead", "Child", "ConsentMethod", "EndingReason", "Family",
    "LoginThrottle", "MailKind", "MailStatus", "Match", "MatchExtension", "MatchReview", "OutboxMessage", "PlanType", "Programme", "Role",
    "Stage", "SupervisionSession", "TokenPurpose", "User", "WebSession",
]
