"""Candidates apply: the CV goes to object storage, everything else into one transaction.

The gate: no application is ever stored for a posting that a concurrent transaction has
closed or concluded. Those lock the posting row FOR UPDATE; the application's transaction
first locks the open posting row FOR NO KEY UPDATE (`select_for_update(no_key=True)`), the
weakest lock the ORM takes that conflicts with FOR UPDATE. So one of the two waits for the
other's commit: a conclusion in progress makes the application wait, and PostgreSQL then
re-checks the row as the conclusion left it (READ COMMITTED) and finds no open posting; a
conclusion that comes second waits for the application's rows and sees them. (The foreign
keys cannot serve as the gate: Django creates them DEFERRABLE INITIALLY DEFERRED, so their
key-share lock is only taken at COMMIT, after the rows are written.) FOR NO KEY UPDATE
also conflicts with itself: two applications to the same posting take turns for the
moment between their gates and their commits (a few inserts; `make bench` measures it),
while applications to other postings, and everything else that reads the posting, run on.
SQLite (`make run`) has no row locks, but its IMMEDIATE transactions take the database's
write lock at BEGIN: the gate's read there is already serialised with every other write.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.dates import add_months
from ats.refusals import ServiceRefused
from notifications.services import queue_email, sent_recently
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.careers import selectors
from recruitment.cvs import extraction, search_index, storage
from recruitment.cvs.checks import InspectedCv
from recruitment.cvs.checks.inspection import PDF_CONTENT_TYPE
from recruitment.models import (
    CAREERS_SITE,
    TALENT_POOL,
    Application,
    ApplicationEvent,
    Candidate,
    ConsentTextVersion,
    CurriculumVitae,
    Invitation,
    Posting,
    RetentionConsent,
    Source,
)
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import LEGAL_BASES, PURPOSES, consent_text_in, text_version
from recruitment.pool import selectors as pool
from recruitment.pool.services import invitations
from recruitment.questions import services as questions
from recruitment.retention.services import restrictions

logger = logging.getLogger(__name__)

# At most one "you had already applied" notice per application in this many hours.
ALREADY_APPLIED_NOTICE_HOURS = 24


@dataclass(frozen=True)
class ApplicantData:
    """What the candidate typed into the form, already validated."""

    full_name: str
    email: str
    phone: str
    cover_letter: str
    consents_to_talent_pool: bool
    language: str
    # The privacy notice and consent text versions the form showed (its hidden fields);
    # None: the versions in effect now (see privacy_texts.versions_shown).
    notice_version: int | None = None
    consent_text_version: int | None = None
    # The source the posting link named (its hidden field); checked against the allow-list
    # again when the application is stored: anything else is the careers site.
    source: str = CAREERS_SITE
    # The answers to the posting's questions, with the fingerprint of those the form showed.
    answers: questions.GivenAnswers = questions.NO_ANSWERS


@dataclass(frozen=True)
class SourcedApplicant:
    """An application staff record on a person's behalf (received by email, at a fair, from
    a platform...), already validated: what the person sent, and where it came from."""

    full_name: str
    email: str
    phone: str
    cover_letter: str
    # The person's language, chosen by staff: the notice email and every later one use it.
    language: str
    # An active source other than the careers site (`selectors.recordable_sources`).
    source: str
    # What the person answered to the posting's questions (as staff typed it in).
    answers: questions.GivenAnswers = questions.NO_ANSWERS


@dataclass(frozen=True)
class _Intake:
    """How an application comes in: the public form (the person acts) or staff recording it."""

    source: str
    notice_id: int | None
    # The consent text the form showed; None when staff record (nobody was asked anything).
    consent_text: ConsentTextVersion | None
    recorded_by: Actor | None = None
    # The invitation from the talent pool the person applies through, and the CV of theirs
    # from the pool they chose to apply with again (`submit_application`).
    invitation: Invitation | None = None
    pool_cv: CurriculumVitae | None = None
    # The answers, checked (`questions.check_answers`), and the fingerprint of the questions
    # the form showed: stored only if those are still the posting's questions.
    answers: tuple[questions.CheckedAnswer, ...] = ()
    questions_fingerprint: str = ""


class ApplicationRefused(ServiceRefused):
    """The application cannot be accepted; nothing was stored."""


class PostingNotOpen(ApplicationRefused):
    """The posting is closed, concluded or not published."""


class DuplicateApplication(ApplicationRefused):
    """This email address has already applied to this posting."""


class TextVersionNotValid(ApplicationRefused):
    """The notice or consent text version the form carried is unknown or not yet in effect."""


class SourceNotValid(ApplicationRefused):
    """The source staff chose is not an active source they may record."""


class PoolCvNotAvailable(ApplicationRefused):
    """The CV the invited person chose to apply with again cannot be used: it is not theirs
    to use (another address was typed) or no longer kept in the pool. Nothing was stored."""


class ApplicationNotSaved(Exception):
    """Storage or the database failed; nothing was kept. The candidate may simply retry."""


def normalise_email(email: str) -> str:
    """The form of an address used to recognise the same person: trimmed, lower-cased."""
    return email.strip().lower()


def safe_filename(name: str) -> str:
    """The original file name reduced to something harmless to store and show back.

    Drops directories (both separators), control and bidirectional-override characters,
    and bounds the length while keeping the extension.
    """
    base = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    ).strip(" .")
    if not cleaned:
        return "cv"
    if len(cleaned) > 200:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = f"{stem[:190]}.{ext[:8]}" if dot and len(ext) <= 8 else cleaned[:200]
    return cleaned


def submit_application(
    *,
    posting: Posting,
    applicant: ApplicantData,
    cv: IO[bytes] | None,
    cv_filename: str,
    inspected: InspectedCv | None,
    invitation: Invitation | None = None,
    pool_cv: CurriculumVitae | None = None,
) -> Application:
    """Stores a candidate's application to `posting`.

    Side effects: one CV object in storage; in one transaction (so all or none), the
    candidate (created if the address is new; an existing person's details are never
    changed by an unverified form: the details typed stay on this application), the
    application, its CV row, the optional talent-pool consent (unconfirmed: it keeps
    nothing until the owner of the address confirms it in the portal), a "submitted" event
    and the confirmation email in the outbox; after commit, the email's delivery is
    enqueued. The transaction locks the posting row and re-checks that it is open (the
    module's gate): a conclusion (or closing) in progress makes it wait, then it sees the
    result. A person who had applied before then gets this application frozen too if a
    restriction request of theirs is open.

    The application records its source: the one the form carried if it is an active source
    of the allow-list, else the careers site. It records the privacy notice version the
    form showed, and a consent the consent text version it showed (its text in the
    candidate's language, its duration), even if a newer version was published since: that
    is what the candidate agreed to.

    The CV is stored first, then the rows are written; if they cannot be, the object is
    deleted again. (Uploading on a second thread while the rows were written saved each
    candidate a few milliseconds, but the thread cost more CPU than a busy server can
    spare: `make bench` measured more applications per second without it.)

    Through an invitation from the talent pool (`invitation`, still open: the caller read
    it with `pool.open_invitation`): the source is the talent pool, and the invitation is
    linked to the application if the person applies with the address it was sent to. They
    may apply with a CV of theirs from the pool (`pool_cv`, `pool.invitation_cv`) instead of
    a file (`cv`, `inspected`: then None): it is copied inside the store to the new
    application's own object, with the text it had, provided the address typed is the
    invitation's and the CV is still in the pool when the rows are written (else
    PoolCvNotAvailable, nothing stored).

    Not rerunnable by design: a second call for the same email and posting leaves nothing
    of its own behind, queues a notice to the address saying it had already applied (the
    one who submitted may not own the address, and must learn nothing: the caller answers
    as for a first application, P22), and raises DuplicateApplication. The unique
    constraint decides that inside the transaction, with no query of its own: a duplicate
    is rare, and costs its upload and the object's deletion. If the database write fails,
    the object is deleted again too (and `reconcile_storage` finds any that could not be).
    Answers to the posting's questions (`applicant.answers`) are checked before the upload
    and stored with the application, provided the questions the form showed are still the
    posting's when the gate is passed (else questions.QuestionsChanged: nothing stored).

    Raises PostingNotOpen, TextVersionNotValid, questions.AnswersRefused (all three before
    anything is stored), questions.QuestionsChanged,
    DuplicateApplication or ApplicationNotSaved.
    """
    email = normalise_email(applicant.email)
    if not posting.accepts_applications:
        raise PostingNotOpen
    if pool_cv is not None:
        if invitation is None or invitation.candidate.email != email:
            raise PoolCvNotAvailable
        inspected = _as_inspected(pool_cv)
    if inspected is None:
        raise ValueError("a CV file and its inspection, or a CV from the pool, is required")
    # Before the upload, and usually without a query: a tampered form costs no object.
    try:
        shown = privacy_texts.versions_shown(
            notice_number=applicant.notice_version,
            consent_number=applicant.consent_text_version,
            now=timezone.now(),
        )
    except privacy_texts.VersionNotValid:
        raise TextVersionNotValid from None
    # Also before the upload, without a query: answers that break a rule cost no object.
    checked = questions.check_answers(posting=posting, given=applicant.answers)
    intake = _Intake(
        # The hidden field is the visitor's to forge: only an active allow-listed source
        # counts (no query for the careers site, the usual case); an invitation's link is
        # the talent pool's, whatever else the link said.
        source=TALENT_POOL if invitation else selectors.tracked_source(applicant.source),
        notice_id=shown.notice_id,
        consent_text=shown.consent_text,
        invitation=invitation,
        pool_cv=pool_cv,
        answers=tuple(checked),
        questions_fingerprint=applicant.answers.fingerprint,
    )

    try:
        return _store(
            posting=posting,
            applicant=applicant,
            intake=intake,
            email=email,
            cv=cv,
            cv_filename=cv_filename,
            inspected=inspected,
        )
    except IntegrityError as exc:
        # Usually the unique constraint: this email has applied to this posting already
        # (or a concurrent submission of it won the race). Asked only now, on this rare path.
        if _tell_owner_already_applied(posting=posting, email=email):
            raise DuplicateApplication from None
        # Otherwise a row the application refers to is gone: a version this process
        # remembered, after the database was restored from a backup. Nothing was kept.
        privacy_texts.forget_checked_versions()
        raise ApplicationNotSaved from exc
    except DatabaseError as exc:
        raise ApplicationNotSaved from exc


def _store(
    *,
    posting: Posting,
    applicant: "ApplicantData | SourcedApplicant",
    intake: _Intake,
    email: str,
    cv: IO[bytes] | None,
    cv_filename: str,
    inspected: InspectedCv,
) -> Application:
    """Uploads the CV (or copies the pool's, `intake.pool_cv`), then writes the rows
    (`_record_application`); if the rows are not written, whatever went wrong, the object is
    deleted again, so no object is left that no row refers to. Once they are committed, a
    restriction the person asked for covers the new application (`_freeze_if_requested`).
    Raises ApplicationNotSaved when storage is down (nothing stored); database errors
    while writing the rows propagate to the caller, which tells a duplicate from a
    failure."""
    try:
        if intake.pool_cv is not None:
            cv_filename = intake.pool_cv.original_filename
            key = storage.copy_cv(
                intake.pool_cv.storage_key,
                content_type=inspected.content_type,
                filename=cv_filename,
            )
        elif cv is not None:
            key = storage.put_cv(cv, content_type=inspected.content_type, filename=cv_filename)
        else:
            raise ValueError("no CV to store")
    except storage.StorageUnavailable as exc:
        raise ApplicationNotSaved from exc
    try:
        application, returning = _record_application(
            posting=posting,
            applicant=applicant,
            intake=intake,
            email=email,
            key=key,
            cv_filename=cv_filename,
            inspected=inspected,
        )
    except BaseException:
        compensate_upload(key)  # whatever went wrong, no row refers to the object
        raise
    # Outside the compensation: the rows are committed and refer to the object.
    if returning:
        _freeze_if_requested(application)
    return application


def _record_application(
    *,
    posting: Posting,
    applicant: "ApplicantData | SourcedApplicant",
    intake: _Intake,
    email: str,
    key: str,
    cv_filename: str,
    inspected: InspectedCv,
) -> tuple[Application, bool]:
    """Writes the application's rows and its email in one transaction, provided the posting
    is still open: it may have closed while the CV uploaded. Returns the application, and
    whether its person had applied before (the address was known). Raises PostingNotOpen
    (nothing written) or the database's error (nothing written either).

    From the public form: the person attested their age and may have ticked the consent
    box; they get the confirmation. Recorded by staff (`intake.recorded_by`): no age
    attested (null), no consent of any kind, a "recorded by staff" event naming who, and
    the notice of GDPR art. 14 (`_queue_recorded_notice`) instead of the confirmation."""
    now = timezone.now()
    with transaction.atomic():
        # The gate (see the module docstring): waits for a conclusion or closing in
        # progress, then re-reads the row as it left it.
        gate = (
            Posting.objects.select_for_update(no_key=True)
            .accepting_applications(now)
            .filter(pk=posting.pk)
        )
        # The gate's row also says which questions the posting asks now.
        in_force = gate.values_list("questions_fingerprint", flat=True).first()
        if in_force is None:
            raise PostingNotOpen
        # The pool's CV is the person's to apply with only while it is kept in the pool: a
        # consent withdrawn (or a restriction) since the form was shown takes it away.
        if intake.pool_cv is not None and not (
            pool.pool_applications(now)
            .filter(pk=intake.pool_cv.application_id, candidate__email=email)
            .exists()
        ):
            raise PoolCvNotAvailable
        # A new address becomes a person with the details typed; an existing person keeps
        # theirs (the no-op update of the conflict only takes the row's lock: the details
        # typed stay on this application). Upserted, because a concurrent first application
        # from the same address (to another posting) may insert it first.
        typed = Candidate(email=email, full_name=applicant.full_name, phone=applicant.phone)
        Candidate.objects.bulk_create(
            [typed], update_conflicts=True, unique_fields=["email"], update_fields=["email"]
        )
        # The upsert returns no UUID key of a row it did not insert: read it.
        candidate = Candidate.objects.get(email=email)
        recorded_by = intake.recorded_by
        application = Application.objects.create(
            posting=posting,
            candidate=candidate,
            full_name=applicant.full_name,
            phone=applicant.phone,
            cover_letter=applicant.cover_letter,
            language=applicant.language,
            # Only what the person attested themselves: staff cannot attest for them.
            attested_min_age=None if recorded_by else settings.APPLICANT_MIN_AGE,
            notice_version_id=intake.notice_id,
            source_id=intake.source,
            recorded_by_staff=recorded_by is not None,
            # The talent pool's search vector, computed in the same INSERT.
            search_vector=search_index.vector_for(
                cv_text=inspected.text or "",
                cover_letter=applicant.cover_letter,
                title=posting.title,
            ),
        )
        record_cv(application=application, key=key, cv_filename=cv_filename, inspected=inspected)
        questions.store_answers(
            application=application,
            answers=intake.answers,
            fingerprint=intake.questions_fingerprint,
            in_force=in_force,
        )
        if intake.invitation is not None:
            invitations.link_application(invitation=intake.invitation, application=application)
        ApplicationEvent.objects.create(
            application=application,
            kind=(
                ApplicationEvent.Kind.RECORDED_BY_STAFF
                if recorded_by
                else ApplicationEvent.Kind.SUBMITTED
            ),
            to_stage=application.stage,
            actor=recorded_by.user if recorded_by else None,
        )
        if recorded_by is not None:
            _queue_recorded_notice(application=application, email=email, posting=posting)
            audit.record_application_access(
                actor=recorded_by, action=audit.Action.RECORD_APPLICATION, application=application
            )
        elif (
            isinstance(applicant, ApplicantData)
            and applicant.consents_to_talent_pool
            # The public form always showed one: the box's label.
            and (consent_text := intake.consent_text) is not None
        ):
            RetentionConsent.objects.create(
                candidate=candidate,
                application=application,
                scope=RetentionConsent.Scope.TALENT_POOL,
                # The form showed this version's text in the candidate's language: the
                # exact text they ticked, and the duration it promised.
                text_version=text_version(consent_text_in(consent_text, applicant.language)),
                consent_text=consent_text,
                language=applicant.language,
                channel=RetentionConsent.Channel.APPLICATION_FORM,
                given_at=now,
                # Until the owner of the address confirms it (PRIVACY.md P22).
                confirmed_at=None,
                expires_at=add_months(now, consent_text.months),
            )
            ApplicationEvent.objects.create(
                application=application, kind=ApplicationEvent.Kind.CONSENT_GIVEN
            )
        if isinstance(applicant, ApplicantData):
            queue_email(
                to=email,
                template="careers/emails/application_received",
                context={
                    "full_name": applicant.full_name,
                    "posting_title": posting.title,
                    "consent_to_confirm": applicant.consents_to_talent_pool,
                },
                language=applicant.language,
                subject_ref=application.id,
                personal_link="portal-access",
            )
    # Nobody can have asked anything about a new address.
    return application, candidate.pk != typed.pk


def _freeze_if_requested(application: Application) -> None:
    """A person who had applied before: a restriction they asked for covers this
    application too (P23), once it is committed (see `restrictions.freeze_if_requested`).

    The application is committed by now and keeps its CV whatever happens here. If the
    database fails at this point, the application is saved all the same, and the next
    purge sweep (every ATS_RETENTION_SWEEP_SECONDS, or the one a conclusion starts)
    freezes it before it purges anything (`restrictions.freeze_requested`). Logs the
    application's id and the error's class only (a database error can quote values)."""
    try:
        restrictions.freeze_if_requested(application.candidate_id)
    except DatabaseError as exc:
        logger.warning(
            "application %s saved; its restriction is left to the purge sweep (%s)",
            application.pk,
            type(exc).__name__,
        )


def record_sourced_application(
    *,
    posting: Posting,
    applicant: SourcedApplicant,
    cv: IO[bytes],
    cv_filename: str,
    inspected: InspectedCv,
    actor: Actor,
) -> Application:
    """Records an application staff received elsewhere (by email, at a fair, from a
    platform, a referral...) on the person's behalf: the public path's rows, gate and
    compensation, for a posting that is open.

    Side effects: one CV object in storage; in one transaction, the candidate (an existing
    person's details are never changed: those typed stay on this application), the
    application with its source and `recorded_by_staff`, its CV row, a "recorded by staff"
    event naming `actor`, an audit row (RECORD_APPLICATION), and the notice to the person
    (GDPR art. 14, in `applicant.language`: who we are, why and on what basis we hold their
    data, until when, where it came from, their rights, their portal link); after commit,
    its delivery is enqueued. No consent
    is recorded and no age attested: only the person can give either. The application
    records the privacy notice in effect now, the one the email links to.

    Answers to the posting's questions are checked and stored as on the public path.

    Not rerunnable by design. Raises PostingNotOpen, SourceNotValid, questions.AnswersRefused
    or questions.QuestionsChanged (nothing stored),
    DuplicateApplication when this address has applied to this posting already (asked
    before the upload: nothing stored, nobody emailed: staff are told, and the person
    already knows of their application), ApplicationNotSaved when storage or the database
    fails (the object is deleted again, as on the public path).
    """
    email = normalise_email(applicant.email)
    if not posting.accepts_applications:
        raise PostingNotOpen
    if not selectors.recordable_sources().filter(slug=applicant.source).exists():
        raise SourceNotValid
    if Application.objects.filter(posting=posting, candidate__email=email).exists():
        raise DuplicateApplication
    checked = questions.check_answers(posting=posting, given=applicant.answers)
    try:
        notice = privacy_texts.current_notice(timezone.now())
    except DatabaseError as exc:
        raise ApplicationNotSaved from exc
    intake = _Intake(
        source=applicant.source,
        notice_id=notice.pk,
        consent_text=None,
        recorded_by=actor,
        answers=tuple(checked),
        questions_fingerprint=applicant.answers.fingerprint,
    )
    try:
        return _store(
            posting=posting,
            applicant=applicant,
            intake=intake,
            email=email,
            cv=cv,
            cv_filename=cv_filename,
            inspected=inspected,
        )
    except IntegrityError as exc:
        # A concurrent recording (or public application) of the same address won the race.
        if Application.objects.filter(posting=posting, candidate__email=email).exists():
            raise DuplicateApplication from None
        raise ApplicationNotSaved from exc
    except DatabaseError as exc:
        raise ApplicationNotSaved from exc


def _queue_recorded_notice(*, application: Application, email: str, posting: Posting) -> None:
    """Queues the notice to a person whose application staff recorded (PRIVACY.md P24), in
    their language, in the caller's transaction. Their portal link is minted at delivery
    (`personal_link`): it is never in the stored text."""
    source = Source.objects.get(slug=application.source_id)
    notice = application.notice_version
    notice_url = settings.PUBLIC_URL + reverse("privacy:notice")
    if notice is not None:
        notice_url += f"?version={notice.number}"
    queue_email(
        to=email,
        template="careers/emails/application_recorded",
        context={
            "full_name": application.full_name,
            "posting_title": posting.title,
            # Lazy: the kind's label is translated in the email's language when rendered.
            "source_kind": Source.Kind(source.kind).label,
            "source_name": "" if source.builtin else source.name,
            "notice_url": notice_url,
            # The notice's own words (lazy, translated when rendered): the same purpose and
            # basis as for an application through the form.
            "purpose": PURPOSES["assess_application"],
            "legal_basis": LEGAL_BASES["pre_contract_steps"],
            "authority": settings.SUPERVISORY_AUTHORITY,
        },
        language=application.language,
        subject_ref=application.id,
        personal_link="portal-access",
    )


def _tell_owner_already_applied(*, posting: Posting, email: str) -> bool:
    """Queues the "you had already applied" notice to the address's owner, about their
    application to `posting`, in the language they applied in, unless one went out within
    the last ALREADY_APPLIED_NOTICE_HOURS (repeated submissions must not flood the inbox);
    False if there is no such application (the caller's error was something else).
    Nothing else changes."""
    with transaction.atomic():
        existing = (
            Application.objects.select_for_update(of=("self",))
            .select_related("candidate")
            .filter(posting=posting, candidate__email=email)
            .first()
        )
        if existing is None:
            return False
        since = timezone.now() - timedelta(hours=ALREADY_APPLIED_NOTICE_HOURS)
        if sent_recently(
            subject_ref=existing.id, template="careers/emails/already_applied", since=since
        ):
            return True
        queue_email(
            to=existing.candidate.email,
            template="careers/emails/already_applied",
            context={
                "full_name": existing.candidate.full_name,
                "posting_title": posting.title,
                "applied_at": existing.created_at,
            },
            language=existing.language,
            subject_ref=existing.id,
            personal_link="portal-access",
        )
    return True


def record_cv(
    *, application: Application, key: str, cv_filename: str, inspected: InspectedCv
) -> CurriculumVitae:
    """Saves the row of a CV object already stored under `key`, as the checks described it.
    Its text is the inspection's if it was read (a CV from the pool, the demo data); else
    the row is pending and, after commit, the worker reads it (recruitment.cvs.extraction).
    The application's search vector is the caller's: built with the application, or
    refreshed after a replacement (search_index); the worker's reading refreshes it again."""
    cv = CurriculumVitae.objects.create(
        application=application,
        storage_key=key,
        original_filename=safe_filename(cv_filename),
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        text=inspected.text or "",
        text_pending=inspected.text is None,
    )
    if cv.text_pending:
        extraction.read_after_commit(cv)
    return cv


def _as_inspected(cv: CurriculumVitae) -> InspectedCv:
    """A stored CV as the checks described it when it was uploaded (it passed them then),
    with its text (one query: the pool's selectors leave the text out); None while the
    worker has not read it yet, so that the copy is read too."""
    text, pending = (
        CurriculumVitae.objects.filter(pk=cv.pk).values_list("text", "text_pending").first()
    ) or ("", False)
    return InspectedCv(
        kind="pdf" if cv.content_type == PDF_CONTENT_TYPE else "docx",
        content_type=cv.content_type,
        size=cv.size,
        sha256=cv.sha256,
        text=None if pending else text,
    )


def compensate_upload(key: str) -> None:
    """Deletes an object whose rows were not written. Failure is logged, never raised:
    `reconcile_storage` finds what is left."""
    try:
        failed = storage.delete_keys([key])
    except storage.StorageUnavailable:
        failed = [key]
    if failed:
        # Keys are random and carry nothing personal, so naming it here is safe.
        logger.error("orphaned CV object %s could not be deleted; run reconcile_storage", key)


# --- The allow-list of sources -----------------------------------------------------------------


class SourceRefused(ServiceRefused):
    """The change to the allow-list is refused; nothing changed."""


# Kinds of one built-in source each: the careers site (what every other link counts as) and
# the talent pool (set by an invitation's flow only). Staff give neither to a source.
RESERVED_SOURCE_KINDS = (Source.Kind.CAREERS_SITE, Source.Kind.TALENT_POOL)
RESERVED_KIND = _("This kind belongs to a built-in source; choose another.")


def create_source(*, slug: str, name: str, kind: str) -> Source:
    """Adds an active source to the allow-list: posting links naming `slug` count as it
    from now on. Side effect: one row. Raises SourceRefused if the slug is taken (by an
    active or inactive source: a slug never changes meaning) or the kind is the careers
    site's (there is one careers site). Not rerunnable: the second call is refused."""
    if kind in RESERVED_SOURCE_KINDS:
        raise SourceRefused(RESERVED_KIND)
    try:
        with transaction.atomic():
            return Source.objects.create(slug=slug, name=name, kind=kind, active=True)
    except IntegrityError:
        raise SourceRefused(
            _("A source with this slug exists already (perhaps inactive): choose another.")
        ) from None


def update_source(*, source: Source, name: str, kind: str, active: bool) -> Source:
    """Renames, re-kinds, deactivates or reactivates a source; its slug never changes (it is
    in posting links, on applications and in the anonymous statistics). A built-in source
    keeps its name and kind (they are shown translated), and the careers site stays
    active (it is what every other link counts as). Side effect: saves the row when
    something changed. Rerun-safe. Raises SourceRefused, changing nothing."""
    if source.builtin and (name != source.name or kind != source.kind):
        raise SourceRefused(_("A built-in source keeps its name and kind."))
    if source.slug == CAREERS_SITE and not active:
        raise SourceRefused(_("The careers site cannot be deactivated."))
    if kind in RESERVED_SOURCE_KINDS and source.kind != kind:
        raise SourceRefused(RESERVED_KIND)
    changes = {"name": name, "kind": kind, "active": active}
    changed = [field for field, value in changes.items() if getattr(source, field) != value]
    if not changed:
        return source
    for field in changed:
        setattr(source, field, changes[field])
    with transaction.atomic():
        source.save(update_fields=[*changed, "updated_at"])
    return source
