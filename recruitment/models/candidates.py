"""Candidates and everything they give us: applications, CVs, consents, events, assignments.

Every row here holds personal data and has a UUID primary key, so nothing about a candidate
can be guessed from a URL or an id, and so audit rows can refer to it after a purge.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.models.postings import Posting
from recruitment.models.privacy_texts import ConsentTextVersion, NoticeVersion
from recruitment.models.sources import CAREERS_SITE, Source


class Candidate(models.Model):
    """A person who applied, identified by their normalised email address. Personal data.

    `full_name` and `phone` are the details of the first application, or the ones the
    owner of the address confirmed in the portal; a later application's form never
    changes them (it keeps what was typed on the application itself).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Candidate {self.pk}"


class ApplicationQuerySet(models.QuerySet["Application"]):
    def lock_candidate(self, candidate_id: uuid.UUID | None) -> list["Application"]:
        """Locks the person's application rows (only those rows, whatever is joined) in pk
        order, in the caller's transaction, and returns them: none for None (a person
        already erased).

        The one lock of "this person's applications". The purge takes the same row locks,
        in the same order (services.purge.purge_batch), and every service that changes what
        is kept of a person takes this first: so none deadlocks with another or interleaves
        with a purge, and whichever comes second sees what the first committed.
        """
        if candidate_id is None:
            return []
        return list(
            self.filter(candidate_id=candidate_id).select_for_update(of=("self",)).order_by("pk")
        )

    def lock_application(self, application_id: uuid.UUID) -> "Application | None":
        """One application, after `lock_candidate` of its person (the rows as locked, with
        whatever this queryset selects related); None if it no longer exists (erased since
        the caller last saw it)."""
        candidate_id = self.filter(pk=application_id).values_list("candidate_id", flat=True).first()
        locked = self.lock_candidate(candidate_id)
        return next(
            (application for application in locked if application.pk == application_id), None
        )


class Application(models.Model):
    """One candidate's application to one posting. Personal data."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="applications")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="applications")
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED
    )
    # The contact details typed into this application's form. They belong to this
    # application until the owner of the address confirms them in the portal: an
    # unverified submission never changes the person's (`Candidate`) details (P22).
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    cover_letter = models.TextField(_("cover letter"), blank=True)
    # The language the candidate applied in; every later email to them uses it.
    language = models.CharField(_("language"), max_length=12)
    # The minimum age the candidate attested to at the time ("I am at least N years old");
    # null when staff recorded the application (the person attested nothing).
    attested_min_age = models.PositiveSmallIntegerField(
        _("attested minimum age"), null=True, blank=True
    )
    # The privacy notice the form showed (PRIVACY.md P19), or, for an application staff
    # recorded, the one in effect when the person was told of it (the email links to it);
    # null for applications received before notices were versioned.
    notice_version = models.ForeignKey(
        NoticeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    # Where it came from (an allow-listed source's slug; the careers site unless a posting
    # link or staff named another). Never a person: a referral records only that it was one.
    source = models.ForeignKey(
        Source,
        to_field="slug",
        on_delete=models.PROTECT,
        default=CAREERS_SITE,
        related_name="applications",
        verbose_name=_("source"),
    )
    # Received by email, at a fair, from a platform...: staff recorded it on the person's
    # behalf (who: its "recorded by staff" event). The person gave no consent and attested
    # nothing; they were told at once (PRIVACY.md P24).
    recorded_by_staff = models.BooleanField(_("recorded by staff"), default=False)
    # When the application reached hired, unsuccessful or withdrawn (time-to-decision).
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # --- Retention (recruitment.retention.services.schedule keeps these consistent) ---
    # When the sweep must erase this application; null: not scheduled. Recomputed by the
    # services whenever anything that affects it changes (PRIVACY.md P1-P8).
    purge_due_at = models.DateTimeField(_("purge due at"), null=True, blank=True)
    # Processing restricted at the candidate's request: frozen, and never purged meanwhile.
    restricted = models.BooleanField(_("restricted"), default=False)
    # Flagged as below the minimum age (P17): erased without delay.
    under_age_flagged_at = models.DateTimeField(null=True, blank=True)
    # A person read the answers a knock-out flagged (issue 20): who and when. Only clears the
    # flag for review; it decides nothing (the stage is a person's separate decision).
    answers_reviewed_at = models.DateTimeField(_("answers reviewed at"), null=True, blank=True)
    answers_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answers reviewed by"),
    )
    # The candidate asked for erasure (P13): erased without delay, unless a legal hold applies.
    erasure_requested_at = models.DateTimeField(null=True, blank=True)
    # Purge attempts that failed (storage down...): visible to admins, retried with backoff.
    purge_failures = models.PositiveIntegerField(default=0)
    purge_last_error = models.CharField(max_length=100, blank=True)
    # The talent pool's full-text search (recruitment.cvs.search_index keeps it current):
    # derived from the CV's text, the cover letter and the posting's title, so personal
    # data, erased with the row. Null on SQLite and until first computed. Its GIN index
    # (application_search) is created by migration 0024 on PostgreSQL only.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "posting"], name="one_application_per_candidate_and_posting"
            ),
        ]
        indexes = [
            models.Index(fields=["posting", "stage", "created_at"]),
            # The sweep reads only scheduled applications; nothing else belongs in this index.
            models.Index(
                fields=["purge_due_at"],
                name="application_purge_due",
                condition=Q(purge_due_at__isnull=False),
            ),
            # The officer's home and the retention page list failing purges: a few rows,
            # found without reading every application.
            models.Index(
                F("purge_failures").desc(),
                "purge_due_at",
                "id",
                name="application_purge_failing",
                condition=Q(purge_failures__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.stage in DECIDED_STAGES


# Stages that end an application; a process can be concluded once every application is in one.
DECIDED_STAGES = frozenset(
    {Application.Stage.HIRED, Application.Stage.UNSUCCESSFUL, Application.Stage.WITHDRAWN}
)
# The order an application moves forward in, for the funnel ("stage reached").
FORWARD_STAGES = (
    Application.Stage.APPLIED,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
    Application.Stage.HIRED,
)


class CurriculumVitae(models.Model):
    """An uploaded CV: the bytes live in object storage under a random key. Personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cvs")
    # `cv/<uuid>`: random, so a key reveals nothing about its owner.
    storage_key = models.CharField(max_length=64, unique=True)
    original_filename = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The document's text (recruitment.cvs.text) for the talent pool's search: personal
    # data like the file; exported, erased with the row, never logged. Read by the worker
    # soon after the upload (recruitment.cvs.extraction): until then `text_pending`.
    text = models.TextField(_("text"), blank=True, default="")
    # db_default too: rows written by SQL of its own (the pool benchmark) or by a server
    # still running the code before this field are not pending.
    text_pending = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("CV")
        indexes = [
            # The sweep's rows (recruitment.cvs.extraction.read_pending_texts): the few
            # still to be read, among every CV.
            models.Index(
                fields=["created_at"],
                condition=models.Q(text_pending=True),
                name="cv_text_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"CV {self.pk}"


class ConsentQuerySet(models.QuerySet["RetentionConsent"]):
    def in_force(self, now: datetime) -> "ConsentQuerySet":
        """Consents that count now: confirmed by the owner of the address, not withdrawn,
        not expired (recruitment.retention.services.schedule.covers says the same for one row)."""
        return self.filter(
            confirmed_at__isnull=False, withdrawn_at__isnull=True, expires_at__gt=now
        )

    def covering_outer_application(self) -> "ConsentQuerySet":
        """In a subquery over applications: the consents covering the outer application,
        the ones given for it and the person's portal consents, which cover all."""
        return self.filter(
            Q(application__isnull=True) | Q(application=OuterRef("pk")),
            candidate=OuterRef("candidate"),
        )


class RetentionConsent(models.Model):
    """An explicit consent to keep an application after the process concludes (talent pool).

    Append-only: a row is never updated except to set `confirmed_at` (once) and
    `withdrawn_at`. `text_version` is the SHA-256 of the exact text the candidate agreed
    to, in `language`; `consent_text` the published version that text belongs to (null for
    consents given before texts were versioned), whose `months` set `expires_at`.

    Demonstrable (P3, P22): a consent counts only once the owner of the address confirmed
    it (`confirmed_at`). One given in the portal is confirmed as it is given (the portal
    session was opened from a link sent to the address); one ticked on the public form
    waits for the owner's confirmation in the portal and keeps nothing until then. A
    consent with an `application` covers that application only ("keep my application and
    CV"); one given in the portal (no application) covers every application of the person.
    """

    class Scope(models.TextChoices):
        TALENT_POOL = "talent_pool", _("Future openings (talent pool)")

    class Channel(models.TextChoices):
        APPLICATION_FORM = "application_form", _("Application form")
        PORTAL = "portal", _("Candidate portal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="consents", null=True, blank=True
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    text_version = models.CharField(max_length=64)
    consent_text = models.ForeignKey(
        ConsentTextVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    language = models.CharField(max_length=12)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    given_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"


class ApplicationEvent(models.Model):
    """Something that happened to an application, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STAGE_CHANGED = "stage_changed", _("Stage changed")
        CONSENT_GIVEN = "consent_given", _("Consent given")
        INTERVIEWER_ASSIGNED = "interviewer_assigned", _("Interviewer assigned")
        INTERVIEWER_UNASSIGNED = "interviewer_unassigned", _("Interviewer unassigned")
        # The candidate, from the privacy portal:
        DETAILS_CORRECTED = "details_corrected", _("Contact details corrected by the candidate")
        CV_REPLACED = "cv_replaced", _("CV replaced by the candidate")
        WITHDRAWN = "withdrawn", _("Withdrawn by the candidate")
        RESTRICTED = "restricted", _("Processing restricted at the candidate's request")
        RESTRICTION_LIFTED = "restriction_lifted", _("Restriction lifted")
        ERASURE_REQUESTED = "erasure_requested", _("Erasure requested by the candidate")
        # Undecided but frozen by a restriction when the process was concluded: ended all
        # the same (recruitment.retention.services.schedule), its stage left as it was.
        ENDED_BY_CONCLUSION = "ended_by_conclusion", _("Ended by the conclusion of the process")
        CONSENT_CONFIRMED = "consent_confirmed", _("Consent confirmed by the candidate")
        # Staff recorded an application received by email, at a fair, from a platform...
        RECORDED_BY_STAFF = "recorded_by_staff", _("Recorded by staff")
        # Interviews (issue 20): staff arranged, moved or cancelled one; the candidate answered.
        INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
        INTERVIEW_RESCHEDULED = "interview_rescheduled", _("Interview changed")
        INTERVIEW_CANCELLED = "interview_cancelled", _("Interview cancelled")
        INTERVIEW_ANSWERED = "interview_answered", _("Interview answered by the candidate")
        # Issue 20: a person reviewed the answers a knock-out flagged (nothing was decided).
        ANSWERS_REVIEWED = "answers_reviewed", _("Flagged answers reviewed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20, blank=True)
    # Null when the candidate or the system acted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Free text from staff (e.g. why unsuccessful): may hold personal data, purged with the row.
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class InterviewAssignment(models.Model):
    """An interviewer may see this application (and only the ones assigned to them)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "interviewer"], name="one_assignment_per_interviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} on {self.application_id}"


class LegalHold(models.Model):
    """A statutory or legal reason to keep an application despite retention (PRIVACY.md P7).

    While a hold is active (not lifted) the application is never purged. Holds no personal
    data of its own beyond the staff-written reason, which is purged with the application.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.TextField(_("reason"))
    review_at = models.DateField(_("review on"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    # When the privacy officers were last told that this hold's review is overdue (the
    # daily digest); what the portal may then truthfully say.
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review_at"]
        indexes = [
            models.Index(
                fields=["application"], name="legalhold_active", condition=Q(lifted_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold on {self.application_id}"

    @property
    def review_is_overdue(self) -> bool:
        """The hold still stands after its review day (a local calendar day) has passed."""
        return self.lifted_at is None and self.review_at < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        """Local calendar days since the review day (0 or less: not overdue yet)."""
        return (timezone.localdate() - self.review_at).days
