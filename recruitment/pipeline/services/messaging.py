"""Messages to candidates and their replies (issue 20).

Who writes: the posting's recruiters and hiring managers, and admins (`access.can_decide`).
Interviewers neither write nor read the thread: they assess the candidate; the conversation
with them is the deciding team's.

Refused, with the reason shown to staff, while the candidate's processing is restricted
(PRIVACY.md P14: a restricted application gets no email), while an objection of theirs is
pending or after it was upheld (they are not contacted while it is decided), and once their
data is being erased. Decided under the person's lock (`Application.objects.lock_candidate`),
which recording a restriction or an objection takes too (rights.services.register), so
whichever comes second sees what the first committed.

A message queued before a restriction or an objection arrives, and not yet delivered, is
withheld when it arrives (`withhold_queued`): its outbox email is deleted, the thread shows it
as withheld, and it is not sent when the restriction lifts (staff write again if it still
matters). One the outbox is handing to the SMTP peer at that very moment still goes.

The email goes through the outbox in the application's language, about the application
(`subject_ref`: so the export and the purge find it), with the portal link minted at delivery
(`portal-access`): the candidate answers in the portal (`reply`). Neither the text nor the
address is logged or passed to a task.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ats import enqueue
from ats.refusals import ServiceRefused
from notifications.services import PERSONAL_LINK_PLACEHOLDER, cancel_undelivered, queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import (
    Application,
    Candidate,
    CandidateMessage,
    DataSubjectRequest,
    MessageTemplate,
    Posting,
)
from recruitment.pipeline.services import templates

EMAIL_TEMPLATE = "pipeline/emails/message"
DIGEST_TASK = "recruitment.send_staff_digests"
MAX_SUBJECT = 200
MAX_BODY = 10_000
# How many applications one bulk send may take: a selection from the board, not a mailing.
MAX_BULK = 100

RESTRICTED = _(
    "The candidate has restricted the processing of this application: no message can be "
    "sent while the restriction lasts."
)
OBJECTED = _(
    "The candidate has objected to the processing of their data: no message can be sent "
    "while the objection is being decided or after it was upheld."
)
ERASING = _("The candidate's data is being erased: no message can be sent.")
NOT_ON_POSTING = _("This application is not one of this posting's.")
NO_TEXT_IN_LANGUAGE = _("The template has no text in the candidate's language.")
CANDIDATE_RESTRICTED = _(
    "You have restricted the processing of this application, so messages are paused until "
    "the restriction is lifted."
)


class MessageRefused(ServiceRefused):
    """The message was not sent (or the reply not recorded); nothing was written."""


def refusal_for(application: Application) -> str:
    """Why nothing may be sent to this application's candidate now, or "" (read-only; the
    services decide again under the lock)."""
    if application.restricted:
        return str(RESTRICTED)
    if application.erasure_requested_at or application.under_age_flagged_at:
        return str(ERASING)
    if (
        DataSubjectRequest.objects.standing_objections()
        .filter(candidate_id=application.candidate_id)
        .exists()
    ):
        return str(OBJECTED)
    return ""


@dataclass(frozen=True)
class Draft:
    """A message as its candidate would get it, in their language."""

    language: str
    subject: str
    body: str


def portal_link_mark(language: str) -> str:
    """What stands for the portal link in the stored text and the preview (the real link
    is minted at delivery and kept nowhere)."""
    with translation.override(language):
        return gettext("[your personal portal link]")


def render(
    *,
    application: Application,
    sender: object,
    subject: str,
    body: str,
    portal_link: str | None = None,
) -> Draft:
    """`subject` and `body` filled in for this application's candidate, in their language.
    Raises MessageRefused for an unknown placeholder or an empty text. No side effects."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise MessageRefused(_("Write a subject and a message."))
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise MessageRefused(_("The subject or the message is too long."))
    for text in (subject, body):
        unknown = templates.unknown_placeholders(text)
        if unknown:
            raise MessageRefused(
                _("Unknown placeholder %(unknown)s. You can use: %(known)s.")
                % {
                    "unknown": templates.braced(unknown),
                    "known": templates.braced(templates.PLACEHOLDERS),
                }
            )
    language = application.language
    link = portal_link if portal_link is not None else portal_link_mark(language)
    values = templates.placeholder_values(application=application, sender=sender, portal_link=link)
    return Draft(
        language=language,
        subject=" ".join(templates.fill(subject, values).split()),
        body=templates.fill(body, values),
    )


def template_draft(*, application: Application, sender: object, template: MessageTemplate) -> Draft:
    """The template in the candidate's language, filled in. Raises MessageRefused."""
    text = templates.text_for(template, application.language)
    if text is None:
        raise MessageRefused(NO_TEXT_IN_LANGUAGE)
    return render(application=application, sender=sender, subject=text.subject, body=text.body)


def _locked(application_id: UUID) -> Application:
    """The application, its person's rows locked (the purge's and the restriction's lock)."""
    application = Application.objects.select_related("candidate", "posting").lock_application(
        application_id
    )
    if application is None:
        raise MessageRefused(ERASING)
    return application


@transaction.atomic
def send_message(
    *,
    actor: Actor,
    application_id: UUID,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    now: datetime | None = None,
) -> CandidateMessage:
    """Sends staff's message to the candidate of `application_id` (the caller checked the
    actor may write to it), in the candidate's language.

    Side effects, in one transaction: the CandidateMessage, the outbox email (delivery
    enqueued after commit) and a SEND_MESSAGE audit row. Raises MessageRefused (nothing
    written) for a restricted, objected or erasing candidate, or a bad text. Not rerunnable
    by design: each call is one more message.
    """
    application = _locked(application_id)
    reason = refusal_for(application)
    if reason:
        raise MessageRefused(reason)
    stored = render(application=application, sender=actor.user, subject=subject, body=body)
    emailed = render(
        application=application,
        sender=actor.user,
        subject=subject,
        body=body,
        portal_link=PERSONAL_LINK_PLACEHOLDER,
    )
    email = queue_email(
        to=application.candidate.email,
        template=EMAIL_TEMPLATE,
        context={"subject": emailed.subject, "body": emailed.body},
        language=application.language,
        subject_ref=application.pk,
        personal_link="portal-access",
    )
    message = CandidateMessage.objects.create(
        application=application,
        direction=CandidateMessage.Direction.TO_CANDIDATE,
        author=actor.user,
        author_username=actor.user.get_username(),
        template=template,
        language=application.language,
        subject=stored.subject,
        body=stored.body,
        email_id=email.pk,
        created_at=now or timezone.now(),
    )
    audit.record_application_access(
        actor=actor, action=audit.Action.SEND_MESSAGE, application=application
    )
    return message


@dataclass(frozen=True)
class Outcome:
    """What became of one application of a bulk send: sent, or why not."""

    application_id: UUID
    full_name: str
    message: CandidateMessage | None = None
    refusal: str = ""


def send_bulk(
    *,
    actor: Actor,
    posting: Posting,
    applications: QuerySet[Application],
    template: MessageTemplate,
) -> list[Outcome]:
    """Sends `template` to each of `applications` (already scoped to what the actor may
    write to) of `posting`, each in the candidate's language and in a transaction of its
    own, so one refusal undoes no other. Returns one Outcome per application: sent, or
    skipped and why. Side effects per message as `send_message`. Not rerunnable by design.
    """
    outcomes = []
    rows = list(applications.select_related("candidate", "posting").order_by("created_at", "pk"))
    for application in rows[:MAX_BULK]:
        name = application.candidate.full_name
        try:
            if application.posting_id != posting.pk:
                raise MessageRefused(NOT_ON_POSTING)
            draft = templates.text_for(template, application.language)
            if draft is None:
                raise MessageRefused(NO_TEXT_IN_LANGUAGE)
            message = send_message(
                actor=actor,
                application_id=application.pk,
                subject=draft.subject,
                body=draft.body,
                template=template,
            )
        except MessageRefused as refused:
            outcomes.append(Outcome(application.pk, name, refusal=str(refused.message)))
        else:
            outcomes.append(Outcome(application.pk, name, message=message))
    return outcomes


@transaction.atomic
def reply(*, candidate: Candidate, application_id: UUID, body: str) -> CandidateMessage:
    """Records the candidate's answer, written in the portal, on their application's thread.

    Side effects: the CandidateMessage; after commit, the staff digest sweep is asked to run
    (the posting's recruiters who chose "at once" hear of it within moments, the others in
    their daily digest). Raises MessageRefused (nothing written) for an application not the
    candidate's (or erased), a restricted one, or an empty or overlong text. Not rerunnable
    by design.
    """
    body = body.strip()
    if not body:
        raise MessageRefused(_("Write a message."))
    if len(body) > MAX_BODY:
        raise MessageRefused(_("The message is too long."))
    locked = {a.pk: a for a in Application.objects.lock_candidate(candidate.pk)}
    application = locked.get(application_id)
    if application is None:
        raise MessageRefused(ERASING)
    if application.restricted:
        raise MessageRefused(CANDIDATE_RESTRICTED)
    message = CandidateMessage.objects.create(
        application=application,
        direction=CandidateMessage.Direction.FROM_CANDIDATE,
        language=application.language,
        body=body,
    )
    enqueue.send_on_commit(DIGEST_TASK)
    return message


def withhold_queued(*, application_ids: list[UUID], now: datetime | None = None) -> int:
    """Withholds every message to these applications whose email has not left yet: the
    outbox email is deleted and the message marked withheld. For a restriction or an
    objection arriving (rights.services.register), in its transaction, under the person's
    lock. Returns how many were withheld. Rerun-safe."""
    queued = CandidateMessage.objects.filter(
        application_id__in=application_ids,
        direction=CandidateMessage.Direction.TO_CANDIDATE,
        withheld_at__isnull=True,
        email_id__isnull=False,
    )
    email_ids = [email_id for email_id in queued.values_list("email_id", flat=True) if email_id]
    cancelled = cancel_undelivered(email_ids=email_ids)
    if not cancelled:
        return 0
    return queued.filter(email_id__in=cancelled).update(withheld_at=now or timezone.now())
