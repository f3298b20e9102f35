"""The recruitment domain's models, by what they hold."""

from recruitment.models.audit import AccessEvent
from recruitment.models.candidates import (
    DECIDED_STAGES,
    FORWARD_STAGES,
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    InterviewAssignment,
    LegalHold,
    RetentionConsent,
)
from recruitment.models.interviews import CalendarFeedToken, Interview, InterviewInterviewer
from recruitment.models.invitations import Invitation
from recruitment.models.ledger import ErasureRecord
from recruitment.models.messages import (
    CandidateMessage,
    MessageTemplate,
    MessageTemplateText,
    StaffNotificationSetting,
)
from recruitment.models.notes import InterviewNote
from recruitment.models.postings import Posting, TeamMembership
from recruitment.models.privacy_texts import ConsentTextVersion, NoticeVersion
from recruitment.models.questions import Answer, Question
from recruitment.models.reminders import ConsentReminder, HoldReviewDigest
from recruitment.models.rights import (
    DataExport,
    DataSubjectRequest,
    ExportPassageReview,
    PortalToken,
)
from recruitment.models.sources import CAREERS_SITE, TALENT_POOL, Source
from recruitment.models.statistics import ApplicationStatistic

__all__ = [
    "CAREERS_SITE",
    "DECIDED_STAGES",
    "FORWARD_STAGES",
    "TALENT_POOL",
    "AccessEvent",
    "Answer",
    "Application",
    "ApplicationEvent",
    "ApplicationStatistic",
    "CalendarFeedToken",
    "Candidate",
    "CandidateMessage",
    "ConsentReminder",
    "ConsentTextVersion",
    "CurriculumVitae",
    "DataExport",
    "DataSubjectRequest",
    "ErasureRecord",
    "ExportPassageReview",
    "HoldReviewDigest",
    "Interview",
    "InterviewAssignment",
    "InterviewInterviewer",
    "InterviewNote",
    "Invitation",
    "LegalHold",
    "MessageTemplate",
    "MessageTemplateText",
    "NoticeVersion",
    "PortalToken",
    "Posting",
    "Question",
    "RetentionConsent",
    "Source",
    "StaffNotificationSetting",
    "TeamMembership",
]
