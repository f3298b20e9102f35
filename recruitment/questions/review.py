"""A person's review of the answers a knock-out flagged on an application (issue 20).

A knock-out answer only flags an application for a person to read; it decides nothing.
Marking the flagged answers as reviewed records who read them and when, so the board's
"to review" filter and badge stop showing the application. It decides nothing either: the
stage is still a person's separate decision (recruitment.pipeline.services.stages).
"""

from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Answer, Application, ApplicationEvent

RESTRICTED = _(
    "The candidate has restricted the processing of this application: its answers cannot be "
    "marked as reviewed until the privacy officer lifts the restriction."
)
ERASED = _("This application has been erased.")
NOTHING_FLAGGED = _("No knock-out answer flagged this application: there is nothing to review.")
ALREADY_REVIEWED = _("The flagged answers of this application were already marked as reviewed.")


class ReviewRefused(ServiceRefused):
    """The answers cannot be marked as reviewed now; `message` says why."""


@transaction.atomic
def mark_answers_reviewed(*, actor: Actor, application_id: UUID) -> Application:
    """Records that `actor` (the caller checked they decide on the posting) reviewed the
    application's flagged answers.

    Side effects, in one transaction under the person's lock (the purge's and the
    restriction's, `Application.objects.lock_candidate`): the reviewer and time on the
    application, an ANSWERS_REVIEWED event in its history and a REVIEW_ANSWERS audit row.
    Raises ReviewRefused (nothing written) for an erased or restricted application, one no
    knock-out flagged, or one already reviewed: so a rerun writes nothing twice.
    """
    application = Application.objects.lock_application(application_id)
    if application is None:
        raise ReviewRefused(ERASED)
    if application.restricted:
        raise ReviewRefused(RESTRICTED)
    if not Answer.objects.filter(application=application, knocked_out=True).exists():
        raise ReviewRefused(NOTHING_FLAGGED)
    if application.answers_reviewed_at is not None:
        raise ReviewRefused(ALREADY_REVIEWED)
    application.answers_reviewed_at = timezone.now()
    application.answers_reviewed_by = actor.user
    application.save(update_fields=["answers_reviewed_at", "answers_reviewed_by", "updated_at"])
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.ANSWERS_REVIEWED, actor=actor.user
    )
    audit.record_application_access(
        actor=actor, action=audit.Action.REVIEW_ANSWERS, application=application
    )
    return application
