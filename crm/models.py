"""Every area's models, imported in one place so Alembic and the app see the whole schema."""

import crm.quotas.milestones  # noqa: F401 — keeps project_milestone in step with stage events
from crm.auth.models import ApiToken, LoginFailure, LoginSession, User
from crm.chains.models import (
    Chain,
    ChainNode,
    ChainZone,
    NodeEnterprise,
    NodeProject,
    NodeTarget,
    RoadmapMilestone,
)
from crm.channels.models import (
    ChannelConfig,
    ChannelLink,
    ChannelMessage,
    ChannelToken,
    RobotGroup,
)
from crm.core.models import AuditLog, Heartbeat, Setting
from crm.core.period_lock import PeriodLock
from crm.enterprises.models import Contact, Enterprise, IndustryClass
from crm.imports.models import ImportBatch, ImportChange
from crm.instructions.models import Instruction, InstructionEntry
from crm.land.models import (
    Building,
    LandAttachment,
    LandClaim,
    LandEvent,
    Parcel,
    ZonePlan,
)
from crm.progress.models import MonthlyProgress
from crm.projects.models import Attachment, Project, ProjectMilestone, StageEvent
from crm.quotas.models import Indicator, IndicatorActual, Quota, QuotaTier
from crm.reminders.models import CalendarFeed, HolidayOverride, ReminderLog
from crm.reporting.models import ReportSubmission
from crm.targets.models import Activity, Conflict, ConflictZone, Target
from crm.zones.models import Zone

__all__ = [
    "Activity",
    "ApiToken",
    "Attachment",
    "AuditLog",
    "Building",
    "CalendarFeed",
    "Chain",
    "ChainNode",
    "ChainZone",
    "ChannelConfig",
    "ChannelLink",
    "ChannelMessage",
    "ChannelToken",
    "Conflict",
    "ConflictZone",
    "Contact",
    "Enterprise",
    "Heartbeat",
    "HolidayOverride",
    "ImportBatch",
    "ImportChange",
    "Indicator",
    "IndicatorActual",
    "IndustryClass",
    "Instruction",
    "InstructionEntry",
    "LandAttachment",
    "LandClaim",
    "LandEvent",
    "LoginFailure",
    "LoginSession",
    "MonthlyProgress",
    "NodeEnterprise",
    "NodeProject",
    "NodeTarget",
    "Parcel",
    "PeriodLock",
    "Project",
    "ProjectMilestone",
    "Quota",
    "QuotaTier",
    "ReminderLog",
    "ReportSubmission",
    "RoadmapMilestone",
    "RobotGroup",
    "Setting",
    "StageEvent",
    "Target",
    "User",
    "Zone",
    "ZonePlan",
]
