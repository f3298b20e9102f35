"""Messages to candidates (issue 20): templates and their placeholders, sending in the
candidate's language through the outbox, refusals (restriction, objection), bulk sending with
skips reported, the candidate's reply in the portal, and what the export and purge do."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import PERSONAL_LINK_PLACEHOLDER, deliver_email
from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    CandidateMessage,
    DataSubjectRequest,
    MessageTemplate,
    Posting,
)
from recruitment.pipeline.services import messaging, templates
from recruitment.rights.services import register
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(posting: Posting) -> Application:
    return ApplicationFactory.create(
        posting=posting,
        candidate__full_name="Milica Petrović",
        candidate__email="milica@example.com",
        language="sr-latn",
    )


def builtin(slug: str) -> MessageTemplate:
    return MessageTemplate.objects.prefetch_related("texts").get(builtin=slug)


def test_the_builtin_templates_have_a_text_in_every_language() -> None:
    for slug in ("talk", "more-time"):
        template = builtin(slug)
        languages = {text.language for text in template.texts.all()}
        assert languages == set(templates.language_codes())
        for text in template.texts.all():
            assert templates.unknown_placeholders(text.subject + text.body) == []


def test_unknown_placeholders_are_named_and_known_ones_pass() -> None:
    assert templates.unknown_placeholders("Hi {first_name}, {frist_name} {x}") == [
        "frist_name",
        "x",
    ]
    with pytest.raises(ValidationError) as raised:
        templates.check_placeholders("Dear {frist_name}")
    assert "{frist_name}" in str(raised.value)
    templates.check_placeholders("Dear {first_name} at {company_name}: {portal_link}")


def test_saving_a_template_with_an_unknown_placeholder_changes_nothing(
    recruiter_actor: Actor,
) -> None:
    texts = {code: templates.Text("Hello", "Dear {first_name}") for code in ["en", "bs", "hr"]}
    texts["sr-latn"] = templates.Text("Zdravo", "Poštovani {ime}")
    with pytest.raises(ValidationError):
        templates.save_template(actor=recruiter_actor, name="Typo", texts=texts)
    assert not MessageTemplate.objects.filter(name="Typo").exists()


def test_a_saved_template_gets_its_cyrillic_text_from_the_latin_one(
    recruiter_actor: Actor,
) -> None:
    texts = {code: templates.Text("Hello", "Dear {first_name}") for code in ["en", "bs", "hr"]}
    texts["sr-latn"] = templates.Text("Zdravo", "Poštovani {first_name}")
    template = templates.save_template(actor=recruiter_actor, name="Hello", texts=texts)
    cyrillic = template.texts.get(language="sr")
    assert cyrillic.body == "Поштовани {first_name}"


def test_a_template_reaches_a_serbian_candidate_in_serbian(
    application: Application, recruiter_actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    draft = messaging.template_draft(
        application=application, sender=recruiter_actor.user, template=builtin("talk")
    )
    assert draft.language == "sr-latn"
    assert "Poštovani/a Milica," in draft.body

    message = messaging.send_message(
        actor=recruiter_actor,
        application_id=application.pk,
        subject=draft.subject,
        body=draft.body,
    )

    email = OutboundEmail.objects.get(pk=str(message.email_id))
    assert email.language == "sr-latn" and email.to_address == "milica@example.com"
    assert "Poštovani/a Milica," in email.body_text
    assert application.posting.title in email.subject
    # The email's footer is in Serbian too, with the portal link minted at delivery.
    assert "portalu" in email.body_text
    assert PERSONAL_LINK_PLACEHOLDER in email.body_text
    assert email.subject_ref == application.pk and email.personal_link == "portal-access"
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.SEND_MESSAGE, application_id=application.pk
    ).exists()


def test_the_portal_link_placeholder_is_minted_at_delivery_and_stored_nowhere(
    posting: Posting, recruiter_actor: Actor, smtp_mailbox: Any, unique_email: Any
) -> None:
    address = unique_email("milica")
    application = ApplicationFactory.create(posting=posting, candidate__email=address)
    message = messaging.send_message(
        actor=recruiter_actor,
        application_id=application.pk,
        subject="Your application",
        body="Answer here: {portal_link}",
    )
    assert "[" in message.body and "{portal_link}" not in message.body
    assert message.email_id and deliver_email(email_id=message.email_id)
    [sent] = smtp_mailbox.wait_for(address)
    text = next(
        part.get_payload(decode=True).decode()
        for part in sent.walk()
        if part.get_content_type() == "text/plain"
    )
    assert "/privacy/" in text and PERSONAL_LINK_PLACEHOLDER not in text


def test_free_text_with_an_unknown_placeholder_is_refused_and_nothing_is_written(
    application: Application, recruiter_actor: Actor
) -> None:
    with pytest.raises(messaging.MessageRefused, match="frist_name"):
        messaging.send_message(
            actor=recruiter_actor,
            application_id=application.pk,
            subject="Hi",
            body="Dear {frist_name}",
        )
    assert not CandidateMessage.objects.exists() and not OutboundEmail.objects.exists()


def test_a_restricted_application_refuses_messages_with_the_reason(
    application: Application, recruiter_actor: Actor
) -> None:
    Application.objects.filter(pk=application.pk).update(restricted=True)
    with pytest.raises(messaging.MessageRefused, match="restricted"):
        messaging.send_message(
            actor=recruiter_actor, application_id=application.pk, subject="Hi", body="Hello"
        )
    assert not CandidateMessage.objects.exists() and not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    "status,refused",
    [
        (DataSubjectRequest.Status.OPEN, True),
        (DataSubjectRequest.Status.RESOLVED, True),
        (DataSubjectRequest.Status.REFUSED, False),
    ],
)
def test_a_pending_or_upheld_objection_refuses_messages(
    application: Application, recruiter_actor: Actor, status: str, refused: bool
) -> None:
    request = register.record_request(
        candidate=application.candidate,
        kind=DataSubjectRequest.Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.PORTAL,
    )
    if status != DataSubjectRequest.Status.OPEN:
        DataSubjectRequest.objects.filter(pk=request.pk).update(
            status=status, resolved_at=timezone.now()
        )
    send = lambda: messaging.send_message(  # noqa: E731
        actor=recruiter_actor, application_id=application.pk, subject="Hi", body="Hello"
    )
    if refused:
        with pytest.raises(messaging.MessageRefused, match="objected"):
            send()
        assert not CandidateMessage.objects.exists()
    else:
        assert send().pk


@pytest.mark.parametrize(
    "kind", [DataSubjectRequest.Kind.RESTRICTION, DataSubjectRequest.Kind.OBJECTION]
)
def test_a_restriction_or_objection_withholds_messages_not_yet_delivered(
    application: Application, recruiter_actor: Actor, kind: str
) -> None:
    queued = messaging.send_message(
        actor=recruiter_actor, application_id=application.pk, subject="Hi", body="Queued"
    )
    delivered = messaging.send_message(
        actor=recruiter_actor, application_id=application.pk, subject="Hi", body="Delivered"
    )
    OutboundEmail.objects.filter(pk=str(delivered.email_id)).update(
        status=OutboundEmail.Status.SENT
    )

    register.record_request(
        candidate=application.candidate, kind=kind, channel=DataSubjectRequest.Channel.PORTAL
    )

    queued.refresh_from_db()
    delivered.refresh_from_db()
    assert queued.withheld_at is not None
    assert not OutboundEmail.objects.filter(pk=str(queued.email_id)).exists()
    assert delivered.withheld_at is None
    assert OutboundEmail.objects.filter(pk=str(delivered.email_id)).exists()


def test_bulk_sends_each_in_their_language_and_reports_who_was_skipped_and_why(
    posting: Posting, recruiter_actor: Actor
) -> None:
    serbian = ApplicationFactory.create(posting=posting, language="sr-latn")
    english = ApplicationFactory.create(posting=posting, language="en")
    croatian = ApplicationFactory.create(posting=posting, language="hr")
    restricted = ApplicationFactory.create(posting=posting, restricted=True)
    elsewhere = ApplicationFactory.create()

    outcomes = messaging.send_bulk(
        actor=recruiter_actor,
        posting=posting,
        applications=Application.objects.filter(
            pk__in=[serbian.pk, english.pk, croatian.pk, restricted.pk, elsewhere.pk]
        ),
        template=builtin("more-time"),
    )

    by_id = {outcome.application_id: outcome for outcome in outcomes}
    serbian_message = by_id[serbian.pk].message
    assert serbian_message is not None and serbian_message.language == "sr-latn"
    assert "potrebno nam je" in serbian_message.body
    assert "a bit more time" in by_id[english.pk].message.body  # type: ignore[union-attr]
    assert "zahvaljujemo Vam" in by_id[croatian.pk].message.body  # type: ignore[union-attr]
    assert by_id[restricted.pk].message is None and "restricted" in by_id[restricted.pk].refusal
    assert by_id[elsewhere.pk].message is None and by_id[elsewhere.pk].refusal
    assert OutboundEmail.objects.count() == 3


def test_the_candidate_replies_and_the_reply_joins_the_thread(
    application: Application, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        reply = messaging.reply(
            candidate=application.candidate, application_id=application.pk, body="Tuesday works."
        )
    assert reply.direction == CandidateMessage.Direction.FROM_CANDIDATE
    assert list(application.thread.all()) == [reply]
    assert callbacks  # the staff digest is asked to run after commit


def test_a_reply_to_a_restricted_application_or_someone_elses_is_refused(
    application: Application,
) -> None:
    other = ApplicationFactory.create()
    with pytest.raises(messaging.MessageRefused):
        messaging.reply(candidate=application.candidate, application_id=other.pk, body="Hi")
    Application.objects.filter(pk=application.pk).update(restricted=True)
    with pytest.raises(messaging.MessageRefused, match="restricted"):
        messaging.reply(candidate=application.candidate, application_id=application.pk, body="Hi")
    with pytest.raises(messaging.MessageRefused):
        messaging.reply(candidate=application.candidate, application_id=application.pk, body=" ")
    assert not CandidateMessage.objects.exists()
