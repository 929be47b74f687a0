"""All tables; importing this module registers them on SQLModel.metadata."""

from integrity.db.models.accounts import ApiToken, LoginThrottle, RecoveryCode, User, UserSession
from integrity.db.models.approvals import ApprovalRequest
from integrity.db.models.audit import AuditCheckpoint, AuditEvent, AuditEventCase
from integrity.db.models.authz import AuthzState, RoleGrant
from integrity.db.models.cases import (
    Case,
    CaseAssignment,
    CaseEvidence,
    CaseLink,
    CaseNote,
    CaseNumberCounter,
    CaseSearchTerm,
    CaseSubject,
    CaseTransition,
)
from integrity.db.models.catalogue import CatalogueItem
from integrity.db.models.clocks import CalendarOverride, CaseClock, ClockExtension, ClockRule
from integrity.db.models.decisions import (
    Appeal,
    AppealPanelMember,
    Decision,
    DecisionClock,
    DecisionStep,
    Measure,
)
from integrity.db.models.education import (
    EducationAttendance,
    EducationAudience,
    EducationEvent,
    EducationEventStep,
    EducationMaterial,
    EducationPlan,
    EducationPlanQuota,
    EducationReflection,
    EducationTally,
    EducationTeachingCase,
)
from integrity.db.models.exports import ReportSubscription, TrailExport
from integrity.db.models.notifications import (
    Delivery,
    Notification,
    NotificationEvent,
    NotificationPreference,
    Webhook,
)
from integrity.db.models.org import Person, Relation, Unit
from integrity.db.models.rectification import (
    RecommendationLetter,
    RectificationEvidence,
    RectificationItem,
    RectificationStep,
    ReInspection,
)
from integrity.db.models.statistics import StaleStatisticsMonth, StatisticsTally

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealPanelMember",
    "ApprovalRequest",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditEventCase",
    "AuthzState",
    "CalendarOverride",
    "Case",
    "CaseAssignment",
    "CaseClock",
    "CaseEvidence",
    "CaseLink",
    "CaseNote",
    "CaseNumberCounter",
    "CaseSearchTerm",
    "CaseSubject",
    "CaseTransition",
    "CatalogueItem",
    "ClockExtension",
    "ClockRule",
    "Decision",
    "DecisionClock",
    "DecisionStep",
    "Delivery",
    "EducationAttendance",
    "EducationAudience",
    "EducationEvent",
    "EducationEventStep",
    "EducationMaterial",
    "EducationPlan",
    "EducationPlanQuota",
    "EducationReflection",
    "EducationTally",
    "EducationTeachingCase",
    "LoginThrottle",
    "Measure",
    "Notification",
    "NotificationEvent",
    "NotificationPreference",
    "Person",
    "ReInspection",
    "RecommendationLetter",
    "RecoveryCode",
    "RectificationEvidence",
    "RectificationItem",
    "RectificationStep",
    "Relation",
    "ReportSubscription",
    "RoleGrant",
    "StaleStatisticsMonth",
    "StatisticsTally",
    "TrailExport",
    "Unit",
    "User",
    "UserSession",
    "Webhook",
]
