"""The purge's row deletion: everything that cascades goes, in one DELETE per table."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CASCADE, Model, ProtectedError
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone

from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    ConsentReminder,
    ConsentTextVersion,
    InterviewNote,
    NoticeVersion,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.retention.services import purge
from recruitment.retention.services.purge import _delete_cascading
from tests.factories import ApplicationFactory, MembershipFactory, NoteFactory, PostingFactory
from tests.harness.applying import apply_as, concluded
from tests.harness.evidence import personal_data


def cascading_models(model: type[Model], seen: set[type[Model]] | None = None) -> set[type[Model]]:
    seen = seen if seen is not None else set()
    for relation in model._meta.related_objects:
        related = relation.related_model
        assert isinstance(related, type), "a reverse relation names its model, never 'self'"
        if relation.on_delete is CASCADE and related not in seen:
            seen.add(related)
            cascading_models(related, seen)
    return seen


def test_no_purged_model_has_delete_signals() -> None:
    """The purge deletes without Django's collector, so it would skip them silently."""
    apps.get_models()  # every receiver module is imported by now
    for model in (
        {Application, Candidate} | cascading_models(Application) | cascading_models(Candidate)
    ):
        assert not pre_delete.has_listeners(model), model
        assert not post_delete.has_listeners(model), model


@pytest.mark.django_db
def test_an_application_goes_with_everything_that_cascades_from_it() -> None:
    application = ApplicationFactory.create()
    other = ApplicationFactory.create()
    NoteFactory.create(application=application)
    NoteFactory.create(application=other)
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.STAGE_CHANGED
    )
    now = timezone.now()
    consent = RetentionConsent.objects.create(
        candidate=application.candidate,
        application=application,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="v1",
        language="en",
        channel=RetentionConsent.Channel.APPLICATION_FORM,
        given_at=now,
        expires_at=now + timedelta(days=30),
    )
    ConsentReminder.objects.create(consent=consent, sent_at=now)

    _delete_cascading(Application.objects.filter(pk__any_of=[application.pk]))

    assert list(Application.objects.all()) == [other]
    assert list(InterviewNote.objects.values_list("application", flat=True)) == [other.pk]
    assert not ApplicationEvent.objects.filter(application_id=application.pk).exists()
    assert not RetentionConsent.objects.exists()
    assert not ConsentReminder.objects.exists()


@pytest.mark.django_db
def test_a_candidate_with_an_application_left_is_refused_and_nothing_goes() -> None:
    application = ApplicationFactory.create()

    with pytest.raises(ProtectedError):
        _delete_cascading(Candidate.objects.filter(pk=application.candidate_id))

    assert Candidate.objects.filter(pk=application.candidate_id).exists()
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_the_notice_and_consent_text_versions_survive_a_purge_and_hold_no_personal_data(
    posting: Posting,
) -> None:
    # An application given under both versions, with a consent that has since expired; and
    # another candidate's application under the same versions, in a process still open.
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    purged = apply_as(posting, "Versa Purgeable", consent=True)
    kept = apply_as(PostingFactory.create(), "Versa Keepable", consent=True)
    consent = RetentionConsent.objects.get(candidate=purged.candidate)
    notice_id, consent_text_id = purged.notice_version_id, consent.consent_text_id
    assert notice_id is not None and consent_text_id is not None
    secrets = personal_data(purged)
    concluded(posting, recruiter, purged)

    outcome = purge.purge_application(purged.pk, now=consent.expires_at + timedelta(days=1))

    # The versions are referenced by the purged rows, never the other way round: they stay.
    assert outcome == purge.Outcome.ERASED
    assert not Candidate.objects.filter(pk=purged.candidate_id).exists()
    assert NoticeVersion.objects.filter(pk=notice_id).exists()
    assert ConsentTextVersion.objects.filter(pk=consent_text_id).exists()
    assert Application.objects.get(pk=kept.pk).notice_version_id == notice_id
    versions = json.dumps(
        [list(NoticeVersion.objects.values()), list(ConsentTextVersion.objects.values())],
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    for value in secrets:
        assert value not in versions
