"""SQLAlchemy models of the portal. Imports nothing from Flask or portal."""
from .access_token import AccessToken
from .action_item import (
    CLOSURE_STATES,
    STATUSES,
    VISIBILITIES,
    ActionItem,
    Attachment,
    Comment,
    ProgressUpdate,
    action_item_contributors,
    action_item_recommendations,
    action_item_shares,
)
from .audit_event import AuditEvent
from .base import Base, utcnow
from .framework import Commitment, FocusArea, Framework
from .goals import (
    ANSWER_STATUSES,
    PARLIAMENT_KINDS,
    PARLIAMENT_STATUSES,
    STANCES,
    TARGET_DIRECTIONS,
    CapacityLine,
    DueChange,
    ExpectedFigure,
    IndicatorDefinition,
    MeasurementCorrection,
    ParliamentAnswer,
    ParliamentCommitment,
    RecommendationResponse,
    Target,
    commitment_carryovers,
    indicator_commitments,
    parliament_items,
    recommendation_links,
)
from .indicator import DIRECTIONS, INDICATOR_VISIBILITIES, Indicator, Measurement, MeasurementPart
from .meeting import AgendaItem, Attendee, Decision, Erratum, Meeting, MeetingSeries, Minutes, meeting_shares
from .organisation import ORGANISATION_KINDS, Organisation
from .recommendation import RECOMMENDATION_KINDS, RESPONSES, Recommendation, recommendation_addressees, recommendation_focus_areas
from .records import DISPOSAL_STATUSES, DisposalList
from .report import Report, ReportNarrative, UpdateRound, report_recommendation_rows, report_recommendations
from .server_session import ReminderLog, ServerSession, UsedLogoutToken
from .source import SOURCE_KINDS, Source
from .status import FINISHED, OPEN_STATUSES, UPDATE_STATUSES, is_late, late_clause
from .tally import item_due_tallies, item_tallies, recommendation_tallies, visibility_changes
from .user import ROLES, User

__all__ = [name for name in dir() if not name.startswith("_")]
