"""All models, imported so the metadata is complete."""
from pwa.models.account import AccountToken, LoginThrottle, WebSession
from pwa.models.audit import AuditEvent, AuditHead
from pwa.models.credential import Passkey, RecoveryCode, RememberedDevice, TotpSecret
from pwa.models.concern import Concern, ConcernAddendum, ConcernCategory, ConcernCategoryMark, DebriefTask, Urgency
from pwa.models.enums import ConsentMethod, EndingReason, PlanType, Role, Stage, TokenPurpose
from pwa.models.family import Child, Family
from pwa.models.goal import Goal, GoalStatus
from pwa.models.match import Match, MatchExtension, MatchReview
from pwa.models.outbox import MailKind, MailStatus, OutboxMessage
from pwa.models.outcome import OutcomeArea, OutcomeFramework, OutcomeReading, OutcomeScore, ReadingOccasion
from pwa.models.programme import Programme
from pwa.models.quarantine import HeldOutcome, HeldReason, QuarantinedItem
from pwa.models.reminder import ReminderSent
from pwa.models.sso import ProgrammeSSO
from pwa.models.supervision import SupervisionSession
from pwa.models.user import User
from pwa.models.visit import ProgressMark, Visit, VisitChild, VisitGoal, VisitKind, VisitOutcome
from pwa.models.record import ChildChange, ChildChangeKind, ConcernChild, CPCategory, FamilyPerson, PersonKind, PlanDetails
from pwa.models.visit_review import ReviewQueue, VisitReview
from pwa.models.caseload import FamilySearchToken, MentorProfile, TalkRequest
from pwa.models.tally import VisitTally
from pwa.models.closure import ClosureReason, FamilyClosure, LegalHold, RetentionDeletion, RetentionOverride
from pwa.models.subject_access import SubjectAccessExport
from pwa.models.pack import PreparedPack

__all__ = [
    "AccountToken", "AuditEvent", "AuditHead", "Child", "Concern", "ConcernAddendum", "ConcernCategory",
    "ConcernCategoryMark", "DebriefTask", "Urgency", "ConsentMethod", "EndingReason", "Family",
    "LoginThrottle", "MailKind", "MailStatus", "Match", "MatchExtension", "MatchReview", "OutboxMessage", "PlanType",
    "Programme", "ProgrammeSSO", "ReminderSent", "Role",
    "Stage", "SupervisionSession", "TokenPurpose", "User", "WebSession",
    "Goal", "GoalStatus", "OutcomeArea", "OutcomeFramework", "OutcomeReading", "OutcomeScore", "ReadingOccasion",
    "Passkey", "RecoveryCode", "RememberedDevice", "TotpSecret",
    "HeldOutcome", "HeldReason", "QuarantinedItem",
    "ProgressMark", "Visit", "VisitChild", "VisitGoal", "VisitKind", "ReviewQueue", "VisitReview",
    "FamilySearchToken", "MentorProfile", "TalkRequest",
    "VisitOutcome", "ChildChange", "ChildChangeKind", "ConcernChild", "CPCategory", "FamilyPerson", "PersonKind",
    "PlanDetails", "VisitTally", "SubjectAccessExport", "PreparedPack",
    "ClosureReason", "FamilyClosure", "LegalHold", "RetentionDeletion", "RetentionOverride",
]
