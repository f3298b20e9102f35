"""Moving applications through the pipeline, deciding on them, and concluding the process.

Each change locks what it changes, writes its ApplicationEvent and its audit row in the same
transaction, and queues any candidate email in the outbox of that transaction.
"""

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.refusals import ServiceRefused
from notifications.services import queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import DECIDED_STAGES, Application, ApplicationEvent, Posting
from recruitment.retention.services import schedule as retention

Stage = Application.Stage


class PipelineError(ServiceRefused):
    """The change is not allowed in the current state; `message` says why, for the user."""


def _check_open_process(posting: Posting) -> None:
    if posting.concluded_at is not None:
        raise PipelineError(
            _("This recruitment process is concluded; applications can no longer change stage.")
        )


def record_stage(
    application: Application,
    *,
    to_stage: str,
    kind: str = ApplicationEvent.Kind.STAGE_CHANGED,
    actor: User | None = None,
    reason: str = "",
) -> None:
    """Writes a locked application's new stage, its decision time (now for a decided stage,
    none otherwise) and the event that says who moved it from where. Checks nothing: the
    callers decide what may change (staff: `move_application` and `mark_unsuccessful`; the
    candidate: `self_service.withdraw_application`), and recompute retention afterwards."""
    from_stage = application.stage
    application.stage = to_stage
    application.decided_at = timezone.now() if to_stage in DECIDED_STAGES else None
    application.save(update_fields=["stage", "decided_at", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        reason=reason,
    )


def _apply_stage(
    application: Application, *, to_stage: str, actor: Actor, reason: str, notify: bool
) -> bool:
    """Moves one locked application. Returns False when it already was in `to_stage`.

    Callers recompute retention afterwards, once for everything they moved."""
    if application.stage == to_stage:
        return False
    if application.restricted:
        raise PipelineError(
            _(
                "The candidate has restricted the processing of this application: it cannot "
                "change stage until the privacy officer lifts the restriction."
            )
        )
    record_stage(application, to_stage=to_stage, actor=actor.user, reason=reason)
    if notify and to_stage == Stage.UNSUCCESSFUL:
        candidate = application.candidate
        queue_email(
            to=candidate.email,
            template="pipeline/emails/application_unsuccessful",
            context={"full_name": candidate.full_name, "posting_title": application.posting.title},
            language=application.language,
            subject_ref=application.id,
        )
    return True


@transaction.atomic
def move_application(
    *,
    application_id: UUID,
    to_stage: str,
    actor: Actor,
    reason: str = "",
    notify: bool = False,
) -> Application:
    """Moves an application to `to_stage`, recording who, from, to and when.

    Side effects: the stage (and decision time), an ApplicationEvent, an audit row and, for
    "unsuccessful" with `notify`, an email in the outbox. Rerun-safe: moving to the stage it
    is already in changes nothing. Raises PipelineError once the process is concluded.
    Callers check the actor may decide on this posting.
    """
    if to_stage not in Stage.values:
        raise PipelineError(_("Unknown stage."))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("posting", "candidate")
        .get(pk=application_id)
    )
    _check_open_process(application.posting)
    if _apply_stage(application, to_stage=to_stage, actor=actor, reason=reason, notify=notify):
        retention.recompute(Application.objects.filter(pk=application.pk))
        audit.record_application_access(
            actor=actor, action=audit.Action.CHANGE_STAGE, application=application
        )
    return application


@transaction.atomic
def mark_unsuccessful(
    *,
    application_ids: Iterable[UUID],
    posting: Posting,
    actor: Actor,
    reason: str,
    notify: bool,
) -> int:
    """Marks several applications of one posting unsuccessful; returns how many changed.

    Only applications that are not yet decided change (hired or withdrawn stay as they are),
    and none whose processing the candidate restricted (frozen until that is lifted).
    One event per application and one audit row per application, all in one transaction.
    Rerun-safe.
    """
    locked = Posting.objects.select_for_update().get(pk=posting.pk)
    _check_open_process(locked)
    applications = (
        Application.objects.select_for_update(of=("self",))
        .select_related("posting", "candidate")
        .filter(posting=locked, pk__in=list(application_ids))
        .exclude(stage__in=DECIDED_STAGES)
        .exclude(restricted=True)
        .order_by("created_at")
    )
    changed: list[UUID] = []
    for application in applications:
        _apply_stage(
            application, to_stage=Stage.UNSUCCESSFUL, actor=actor, reason=reason, notify=notify
        )
        audit.record_application_access(
            actor=actor, action=audit.Action.BULK_UNSUCCESSFUL, application=application
        )
        changed.append(application.pk)
    # Once for all of them, not once per application.
    retention.recompute(Application.objects.filter(pk__in=changed))
    return len(changed)


class ConclusionBlocked(PipelineError):
    """Some applications are still undecided."""

    def __init__(self, undecided: int) -> None:
        super().__init__(
            _(
                "%(count)d application(s) are not decided yet. Decide on them first, or mark "
                "all remaining applications unsuccessful while concluding."
            )
            % {"count": undecided}
        )
        self.undecided = undecided


@transaction.atomic
def conclude_process(
    *,
    posting: Posting,
    actor: Actor,
    reject_remaining: bool = False,
    reason: str = "",
    notify: bool = False,
) -> Posting:
    """Formally concludes a posting's recruitment process (PRIVACY.md P1).

    Allowed only when every application is hired, unsuccessful or withdrawn; with
    `reject_remaining` the undecided ones are first marked unsuccessful (reason, optional
    email), except those the candidate froze by a restriction: they keep their stage, and
    the conclusion ends them all the same (an ENDED_BY_CONCLUSION event records it; the
    retention rules treat every application of a concluded process that is not hired as
    ended, so they are erased or kept with consent once the restriction is lifted).
    Records who and when, closes the posting to new applications, writes the audit row and
    hands over to retention. The posting row is locked first: an application being
    submitted meanwhile waits, then finds the posting concluded (see applying). Rerun-safe:
    concluding a concluded posting changes nothing. Raises ConclusionBlocked.
    """
    locked = Posting.objects.select_for_update().get(pk=posting.pk)
    if locked.concluded_at is not None:
        return locked
    undecided = list(
        locked.applications.exclude(stage__in=DECIDED_STAGES).values_list("pk", flat=True)
    )
    if undecided and not reject_remaining:
        raise ConclusionBlocked(len(undecided))
    if undecided:
        mark_unsuccessful(
            application_ids=undecided, posting=locked, actor=actor, reason=reason, notify=notify
        )
        frozen = Application.objects.filter(pk__in=undecided, restricted=True).exclude(
            stage__in=DECIDED_STAGES
        )
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(
                application_id=pk, kind=ApplicationEvent.Kind.ENDED_BY_CONCLUSION, actor=actor.user
            )
            for pk in frozen.values_list("pk", flat=True)
        )
    now = timezone.now()
    locked.concluded_at = now
    locked.concluded_by = actor.user
    if locked.status == Posting.Status.OPEN:
        locked.status = Posting.Status.CLOSED
        locked.closed_at = now
    locked.save(update_fields=["concluded_at", "concluded_by", "status", "closed_at", "updated_at"])
    audit.record_access(actor=actor, action=audit.Action.CONCLUDE_PROCESS, posting_id=locked.pk)
    retention.process_concluded(posting=locked)
    return locked
