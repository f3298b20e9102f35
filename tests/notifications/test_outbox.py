"""The transactional outbox: real Celery worker, real SMTP peer (aiosmtpd)."""

import time
import uuid
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from ats import enqueue
from notifications import services
from notifications.models import OutboundEmail


def queue(address: str, **overrides: Any) -> OutboundEmail:
    arguments: dict[str, Any] = {
        "to": address,
        "template": "careers/emails/application_received",
        "context": {"full_name": "Marko Marković", "posting_title": "QA Intern"},
        "language": "en",
    }
    arguments.update(overrides)
    return services.queue_email(**arguments)


def wait_for_status(email: OutboundEmail, status: str, timeout: float = 10.0) -> OutboundEmail:
    deadline = time.monotonic() + timeout
    email.refresh_from_db()
    while email.status != status and time.monotonic() < deadline:
        time.sleep(0.1)
        email.refresh_from_db()
    return email


def decoded_payload(part: Message) -> str:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)  # a leaf part, decoded from its transfer encoding
    return payload.decode()


def body_parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): decoded_payload(part)
        for part in message.walk()
        if not part.is_multipart()
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_queued_email_is_delivered_by_a_real_worker_once_committed(
    celery_worker: None, smtp_mailbox: Any, unique_email: Any
) -> None:
    address = unique_email()
    with transaction.atomic():
        email = queue(address)

    [message] = smtp_mailbox.wait_for(address)
    assert message["Subject"] == "We received your application: QA Intern"
    assert message["Auto-Submitted"] == "auto-generated"
    parts = body_parts(message)
    assert "Dear Marko Marković," in parts["text/plain"]
    assert "<p>Dear Marko Marković,</p>" in parts["text/html"]
    # Every email names the controller (PRIVACY.md P19).
    assert "Example Employer d.o.o." in parts["text/plain"]
    # The worker marks the row just after the SMTP peer accepted the message.
    email = wait_for_status(email, OutboundEmail.Status.SENT)
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_email_queued_in_a_rolled_back_transaction_never_exists(unique_email: Any) -> None:
    address = unique_email()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(address)
        raise RuntimeError("the business change failed")
    assert not OutboundEmail.objects.filter(to_address=address).exists()


@pytest.mark.django_db
def test_delivering_twice_sends_once(smtp_mailbox: Any, unique_email: Any) -> None:
    address = unique_email()
    email = queue(address)

    assert services.deliver_email(email_id=email.id) is True
    assert services.deliver_email(email_id=email.id) is False
    assert len(smtp_mailbox.wait_for(address)) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1


@pytest.mark.django_db
def test_delivering_a_missing_email_is_a_no_op() -> None:
    assert services.deliver_email(email_id=uuid.uuid4()) is False


@pytest.mark.django_db
def test_smtp_peer_down_records_the_failure_and_backs_off(settings: Any, unique_email: Any) -> None:
    from tools.devstack import free_port

    settings.EMAIL_PORT = free_port()
    email = queue(unique_email())

    with pytest.raises(services.DeliveryFailed):
        services.deliver_email(email_id=email.id)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert email.attempts == 1
    assert email.last_error == "ConnectionRefusedError"
    assert email.claimed_at is None
    assert email.next_attempt_at > timezone.now()


@pytest.mark.django_db
def test_smtp_failures_give_up_after_the_maximum_attempts(settings: Any, unique_email: Any) -> None:
    from tools.devstack import free_port

    settings.EMAIL_PORT = free_port()
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = queue(unique_email())
    for _ in range(2):
        with pytest.raises(services.DeliveryFailed):
            services.deliver_email(email_id=email.id)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert services.deliver_email(email_id=email.id) is False


@pytest.mark.django_db
def test_sweep_enqueues_due_and_stale_emails_but_not_fresh_or_sent_ones(
    monkeypatch: pytest.MonkeyPatch, unique_email: Any
) -> None:
    now = timezone.now()
    due = queue(unique_email())
    fresh = queue(unique_email())
    stale_claim = queue(unique_email())
    sent = queue(unique_email())
    OutboundEmail.objects.filter(pk=due.pk).update(next_attempt_at=now - timedelta(seconds=1))
    OutboundEmail.objects.filter(pk=stale_claim.pk).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now - timedelta(hours=1)
    )
    OutboundEmail.objects.filter(pk=sent.pk).update(
        status=OutboundEmail.Status.SENT, next_attempt_at=now - timedelta(hours=1)
    )
    enqueued: list[Any] = []

    def send(task: str, email_id: str) -> bool:
        enqueued.append(uuid.UUID(email_id))
        return True

    monkeypatch.setattr(enqueue, "send", send)

    assert services.requeue_due_emails() == 2
    assert set(enqueued) == {due.pk, stale_claim.pk}
    assert fresh.pk not in enqueued
    # Their next attempt moved on, so the next sweep does not enqueue them again.
    assert services.requeue_due_emails() == 0


@pytest.mark.django_db
def test_a_stale_claim_is_delivered_again(smtp_mailbox: Any, unique_email: Any) -> None:
    address = unique_email()
    email = queue(address)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=1,
    )
    assert services.deliver_email(email_id=email.id) is True
    assert len(smtp_mailbox.wait_for(address)) == 1


@pytest.mark.django_db
def test_a_fresh_claim_is_not_sent_twice(unique_email: Any) -> None:
    email = queue(unique_email())
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now()
    )
    assert services.deliver_email(email_id=email.id) is False


@pytest.mark.django_db(transaction=True)
def test_any_broker_error_after_commit_is_logged_and_the_email_stays_pending(
    monkeypatch: pytest.MonkeyPatch, unique_email: Any, caplog: Any
) -> None:
    from celery import current_app

    def broker_in_a_strange_state(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Acquire on closed pool")

    monkeypatch.setattr(current_app, "send_task", broker_in_a_strange_state)
    with transaction.atomic():
        email = queue(unique_email())

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert f"({email.pk}) not enqueued (RuntimeError); its sweep will retry" in caplog.text
    # The log names the row, never the address.
    assert email.to_address not in caplog.text
