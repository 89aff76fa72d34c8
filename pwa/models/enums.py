"""Every state in Bridge as an enum, stored by name with a check constraint."""
import enum


class Role(enum.Enum):
    admin = "Admin"
    coordinator = "Coordinator"
    social_worker = "Social worker"
    mentor = "Mentor"


class PlanType(enum.Enum):
    cp = "Child protection plan"
    cin = "Child in need plan"
    early_help = "Early help"


class Stage(enum.Enum):
    referral = "Referral"
    engagement = "Engagement"
    matching = "Matching"
    support = "Support"
    ending = "Ending"


class ConsentMethod(enum.Enum):
    written = "Signed consent form"
    in_person = "Verbally, in person"
    phone = "Verbally, by phone"


class EndingReason(enum.Enum):
    plan_completed = "Plan completed"
    stepped_down = "Stepped down to a lower level of support"
    family_withdrew = "Family withdrew"
    escalated = "Escalated to statutory services"
    mentor_left = "Mentor left the scheme"
    other = "Other"


class TokenPurpose(enum.Enum):
    invite = "invite"
    reset = "reset"
