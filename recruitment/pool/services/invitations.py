"""Invitations from the talent pool to apply to an open posting (issue 19).

Who may be invited, decided under the person's lock (`Application.objects.lock_candidate`,
which a consent withdrawal, a restriction, an objection and the purge take too, so whichever
comes second sees what the first committed):

- a person in the pool now (selectors.pool_applications: a talent-pool consent in force, no
  restriction, no pending or upheld objection, nothing about to be erased): the consent is
  what makes contacting them lawful, and the pool's one membership rule decides it;
- who has not applied to that posting and was not invited to it before;
- at most POOL_INVITATIONS_PER_PERSON times within POOL_INVITATION_PERIOD_DAYS, whoever
  invites: the consent was to be told of openings, not to be pursued.

To what: a posting taking applications now that the inviter manages (its recruiters, admins).

The email goes through the outbox in the person's language: who writes and why (the consent
they gave, until when), the posting, a link to apply that works until the person applies
through it, it expires or the posting closes, and how to withdraw the consent. The link's
token is minted at delivery (`mint_invitation_link`): only its SHA-256 is stored. The person
applies themselves, under the notice then in effect (recruitment.careers).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.refusals import ServiceRefused
from ats.tokens import new_token, token_hash
from notifications.services import cancel_undelivered_about, queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Application, Candidate, Invitation, Posting, RetentionConsent
from recruitment.pool import selectors

# How many people one request may invite: a selection of a page or two, not the whole pool.
MAX_PEOPLE_AT_ONCE = 50
EMAIL_TEMPLATE = "pool/emails/invitation"


class InvitationRefused(ServiceRefused):
    """This person is not invited; nothing was written for them."""


class PostingNotInvitable(ServiceRefused):
    """The posting does not take applications now, or the inviter does not manage it; nobody
    was invited."""


NOT_IN_POOL = _(
    "Not in the talent pool any more (their consent lapsed or was withdrawn, or they "
    "restricted processing or objected)."
)
ALREADY_APPLIED = _("Has already applied to this posting.")
ALREADY_INVITED = _("Was already invited to this posting.")


@dataclass(frozen=True)
class Outcome:
    """What became of one person of a request: invited, or why not."""

    candidate_id: UUID
    full_name: str
    invitation: Invitation | None = None
    refusal: str = ""


def invite(
    *, actor: Actor, posting: Posting, candidate_ids: list[UUID], now: datetime | None = None
) -> list[Outcome]:
    """Invites each of these people to apply to `posting`, each in a transaction of their
    own (one refusal does not undo the others), in the order given, each id once.

    Side effects, per person invited: an Invitation row, the invitation email in the outbox
    (delivery enqueued after commit), and an audit row (INVITE_FROM_POOL, naming the
    person's newest pool application and the posting). Per person refused: nothing.

    Not rerunnable by design: a second call refuses everyone it invited (one invitation per
    person and posting). Raises PostingNotInvitable (nobody invited) if the posting does not
    take applications now or the actor does not manage it.
    """
    now = now or timezone.now()
    if not selectors.invitable_postings(actor.user, now).filter(pk=posting.pk).exists():
        raise PostingNotInvitable(
            _("You can invite people only to an open posting that you manage.")
        )
    outcomes = []
    for candidate_id in dict.fromkeys(candidate_ids):
        try:
            outcomes.append(
                _invite_one(actor=actor, posting=posting, candidate_id=candidate_id, now=now)
            )
        except InvitationRefused as refused:
            name = Candidate.objects.filter(pk=candidate_id).values_list("full_name", flat=True)
            outcomes.append(
                Outcome(candidate_id, full_name=name.first() or "", refusal=str(refused.message))
            )
    return outcomes


def period_limit_message() -> str:
    return str(
        _("Was invited %(count)d times in the last %(days)d days already (the limit).")
        % {
            "count": settings.POOL_INVITATIONS_PER_PERSON,
            "days": settings.POOL_INVITATION_PERIOD_DAYS,
        }
    )


@transaction.atomic
def _invite_one(*, actor: Actor, posting: Posting, candidate_id: UUID, now: datetime) -> Outcome:
    """One person's invitation, decided under their lock. Raises InvitationRefused."""
    locked = Application.objects.lock_candidate(candidate_id)
    in_pool = selectors.pool_applications(now).filter(pk__in=[a.pk for a in locked])
    newest = in_pool.select_related("candidate").order_by("-created_at", "pk").first()
    if newest is None:
        raise InvitationRefused(NOT_IN_POOL)
    candidate = newest.candidate
    if any(application.posting_id == posting.pk for application in locked):
        raise InvitationRefused(ALREADY_APPLIED)
    if Invitation.objects.filter(candidate=candidate, posting=posting).exists():
        raise InvitationRefused(ALREADY_INVITED)
    since = now - timedelta(days=settings.POOL_INVITATION_PERIOD_DAYS)
    if selectors.invitations_since(candidate.pk, since) >= settings.POOL_INVITATIONS_PER_PERSON:
        raise InvitationRefused(period_limit_message())
    consent = (
        RetentionConsent.objects.in_force(now)
        .filter(candidate=candidate, scope=RetentionConsent.Scope.TALENT_POOL)
        .order_by("-expires_at", "pk")
        .first()
    )
    # The person's own language: the one they last applied in.
    language = max(locked, key=lambda application: application.created_at).language
    expires_at = now + timedelta(days=settings.POOL_INVITATION_VALID_DAYS)
    if posting.valid_through is not None:
        expires_at = min(expires_at, posting.valid_through)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                candidate=candidate,
                posting=posting,
                invited_by=actor.user,
                invited_by_username=actor.user.get_username(),
                language=language,
                created_at=now,
                expires_at=expires_at,
            )
    except IntegrityError:  # invited to it by a colleague a moment ago
        raise InvitationRefused(ALREADY_INVITED) from None
    queue_email(
        to=candidate.email,
        template=EMAIL_TEMPLATE,
        context={
            "full_name": candidate.full_name,
            "posting_title": posting.title,
            "consent_given_at": consent.given_at if consent else None,
            "consent_expires_at": consent.expires_at if consent else None,
            "link_expires_at": expires_at,
            "withdraw_url": settings.PUBLIC_URL + reverse("privacy:request_link"),
        },
        language=language,
        # The invitation, so the link minted at delivery is its own; the export and the
        # purge find the email through it.
        subject_ref=invitation.pk,
        personal_link="pool-invitation",
    )
    audit.record_access(
        actor=actor,
        action=audit.Action.INVITE_FROM_POOL,
        application_id=newest.pk,
        posting_id=posting.pk,
    )
    return Outcome(candidate.pk, full_name=candidate.full_name, invitation=invitation)


def withhold_queued(*, candidate_id: UUID) -> int:
    """Withholds the person's invitations whose emails have not left yet: for a restriction
    or an objection arriving (rights.services.register), in its transaction, under the
    person's lock, as the messages and interview emails staff queued are. The email is
    deleted from the outbox and its invitation with it: its link never reached them, so
    they were not invited (the audit log keeps who tried), and may be once the restriction
    is lifted or the objection refused. One being handed to the SMTP peer right now goes.
    Returns how many were withheld. Rerun-safe."""
    unused = Invitation.objects.filter(candidate_id=candidate_id, application__isnull=True)
    withheld = cancel_undelivered_about(
        subject_refs=list(unused.values_list("pk", flat=True)), templates=[EMAIL_TEMPLATE]
    )
    Invitation.objects.filter(pk__in=withheld).delete()
    return len(withheld)


def mint_invitation_link(*, subject_ref: UUID | None) -> str:
    """The link of an invitation email, minted by the outbox at each delivery attempt: a new
    random token whose hash replaces the invitation's (the link of a failed attempt never
    left). For an invitation used or erased meanwhile, the careers page: the link still
    leads somewhere sensible, and opens nothing. Side effect: saves the token's hash."""
    token = new_token()
    updated = subject_ref is not None and (
        Invitation.objects.filter(pk=subject_ref, application__isnull=True).update(
            token_hash=token_hash(token)
        )
    )
    if not updated:
        return settings.PUBLIC_URL + reverse("careers:posting_list")
    return settings.PUBLIC_URL + reverse("careers:invitation", kwargs={"token": token})


def link_application(*, invitation: Invitation, application: Application) -> bool:
    """Records that the invited person applied through the invitation, in the caller's
    transaction (the application's): the link stops working. Only an application of the
    invited person themselves (the same address) is linked; returns whether it was.
    Rerun-safe: an invitation already used stays with its first application."""
    if application.candidate_id != invitation.candidate_id:
        return False
    return bool(
        Invitation.objects.filter(pk=invitation.pk, application__isnull=True).update(
            application=application
        )
    )
