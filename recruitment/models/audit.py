"""The audit log of access to personal data. Holds no candidate personal data itself."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessEvent(models.Model):
    """One access to, or change of, candidate data by a staff member.

    `application_id` and `request_id` are plain UUIDs and `posting_id` a plain integer, not
    foreign keys, so the record outlives the purge of what it refers to (PRIVACY.md P9).
    """

    class Action(models.TextChoices):
        VIEW_APPLICATION = "view_application", _("Viewed application")
        DOWNLOAD_CV = "download_cv", _("Downloaded CV")
        ADD_NOTE = "add_note", _("Added note")
        EDIT_NOTE = "edit_note", _("Edited note")
        DELETE_NOTE = "delete_note", _("Deleted note")
        CHANGE_STAGE = "change_stage", _("Changed stage")
        BULK_UNSUCCESSFUL = "bulk_unsuccessful", _("Bulk marked unsuccessful")
        ASSIGN_INTERVIEWER = "assign_interviewer", _("Assigned interviewer")
        UNASSIGN_INTERVIEWER = "unassign_interviewer", _("Unassigned interviewer")
        CONCLUDE_PROCESS = "conclude_process", _("Concluded recruitment process")
        FLAG_UNDER_AGE = "flag_under_age", _("Flagged as under-age")
        VIEW_PIPELINE = "view_pipeline", _("Viewed pipeline")
        ADMIN_VIEW = "admin_view", _("Viewed in admin")
        # A list in the admin searched or filtered; what was typed is not kept (admin.py).
        ADMIN_SEARCH_APPLICATIONS = "admin_search_applications", _("Searched applications in admin")
        ADMIN_SEARCH_AUDIT_LOG = "admin_search_audit_log", _("Searched audit log in admin")
        EXPORT = "export", _("Exported data")
        EXPORT_AUDIT_LOG = "export_audit_log", _("Exported audit log")
        PLACE_LEGAL_HOLD = "place_legal_hold", _("Placed legal hold")
        LIFT_LEGAL_HOLD = "lift_legal_hold", _("Lifted legal hold")
        # PRIVACY.md P10: a privacy officer produced, or downloaded, a candidate's data export.
        EXPORT_CANDIDATE_DATA = "export_candidate_data", _("Produced candidate data export")
        DOWNLOAD_CANDIDATE_EXPORT = (
            "download_candidate_export",
            _("Downloaded candidate data export"),
        )
        RECORD_REQUEST = "record_request", _("Recorded data-subject request")
        VIEW_REQUEST = "view_request", _("Viewed data-subject request")
        ASSIGN_REQUEST = "assign_request", _("Took on data-subject request")
        EXTEND_REQUEST = "extend_request", _("Extended data-subject request")
        RESOLVE_REQUEST = "resolve_request", _("Resolved data-subject request")
        REFUSE_REQUEST = "refuse_request", _("Refused data-subject request")
        # GDPR Art. 15(4): a privacy officer decided a passage of a portal export, or
        # released the reviewed export to the candidate.
        REVIEW_EXPORT_PASSAGE = "review_export_passage", _("Reviewed a passage of an export")
        RELEASE_REVIEWED_EXPORT = "release_reviewed_export", _("Released a reviewed export")
        # PRIVACY.md P3, P19: a new version of what candidates are told.
        PUBLISH_NOTICE = "publish_notice", _("Published privacy notice version")
        PUBLISH_CONSENT_TEXT = "publish_consent_text", _("Published consent text version")
        # Issue 17: an admin removed a colleague's second factor (they must set up a new one).
        RESET_SECOND_FACTOR = "reset_second_factor", _("Reset a colleague's second factor")
        # Issue 19: the talent pool (the filters are kept in `details`, never the words typed).
        SEARCH_POOL = "search_pool", _("Searched the talent pool")
        VIEW_POOL_PERSON = "view_pool_person", _("Opened a person in the talent pool")
        INVITE_FROM_POOL = "invite_from_pool", _("Invited a person of the talent pool")
        # Staff entered an application received by email, at a fair, from a platform...
        RECORD_APPLICATION = "record_application", _("Recorded an application received elsewhere")
        # Issue 20: messages to candidates (the text is in the thread, never here).
        SEND_MESSAGE = "send_message", _("Sent a message to the candidate")
        # A posting's questions added, changed, reordered or removed (issue 20).
        CHANGE_QUESTIONS = "change_questions", _("Changed a posting's questions")
        # Issue 20: interviews arranged on an application.
        SCHEDULE_INTERVIEW = "schedule_interview", _("Scheduled an interview")
        RESCHEDULE_INTERVIEW = "reschedule_interview", _("Changed an interview")
        CANCEL_INTERVIEW = "cancel_interview", _("Cancelled an interview")
        # Issue 20: a person reviewed the answers a knock-out flagged on an application.
        REVIEW_ANSWERS = "review_answers", _("Reviewed flagged answers")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept when the staff account is deleted; a staff username is not candidate data.
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=30, choices=Action.choices)
    application_id = models.UUIDField(null=True, blank=True)
    posting_id = models.BigIntegerField(null=True, blank=True)
    # A DataSubjectRequest's id, plain for the same reason.
    request_id = models.UUIDField(null=True, blank=True)
    # The staff account an account action was taken on (a reset second factor), kept as
    # a name like actor_username.
    subject_username = models.CharField(max_length=150, blank=True)
    # What a search was narrowed by (a talent pool search's filters: posting, stage,
    # rating, language, consent expiry, and whether words were typed, never which). No
    # candidate data.
    details = models.CharField(max_length=200, blank=True)
    # Truncated (IPv4 /24, IPv6 /48): enough to spot misuse, not to identify a device.
    client_ip = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["actor", "-created_at"]),
            models.Index(fields=["posting_id", "-created_at"]),
            models.Index(fields=["action", "-created_at"]),
            models.Index(fields=["application_id"]),
            models.Index(fields=["request_id"], name="accessevent_request"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_username} {self.action} {self.created_at:%Y-%m-%d %H:%M}"
