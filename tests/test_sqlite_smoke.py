"""The apply path on the embedded default (SQLite, filesystem broker), as `make run` uses it.

Run by `make test` in a separate session with DATABASE_URL pointing at SQLite.
"""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import Application, Posting
from tests.harness.applying import apply
from tests.recruitment.careers.test_apply import (
    APPLICATION_TABLES,
    check_a_posting_closed_while_the_cv_uploads_stores_nothing,
    check_an_application_is_stored_whole_or_not_at_all,
)

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_applying_on_sqlite_stores_the_application_cv_and_email(
    client: Client, posting: Posting
) -> None:
    assert connection.vendor == "sqlite"
    response = apply(client, posting)

    assert response.status_code == 302
    application = Application.objects.get()
    cv = application.cvs.get()
    assert storage.read_object(cv.storage_key).startswith(b"%PDF-")
    assert OutboundEmail.objects.filter(subject_ref=application.id).exists()


def test_a_duplicate_on_sqlite_is_refused(client: Client, posting: Posting) -> None:
    first = apply(client, posting)
    second = apply(client, posting)
    # Answered as the first (P22); one application; its owner told.
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert Application.objects.count() == 1
    assert OutboundEmail.objects.filter(template="careers/emails/already_applied").count() == 1


@pytest.mark.parametrize("table", APPLICATION_TABLES)
def test_on_sqlite_an_application_is_stored_whole_or_not_at_all(client: Client, table: str) -> None:
    assert connection.vendor == "sqlite"
    check_an_application_is_stored_whole_or_not_at_all(client, table)


def test_on_sqlite_a_posting_closed_while_the_cv_uploads_stores_nothing(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_a_posting_closed_while_the_cv_uploads_stores_nothing(client, monkeypatch)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_on_the_embedded_broker_a_real_worker_delivers_the_confirmation(
    client: Client, posting: Posting, smtp_mailbox: Any, unique_email: Any
) -> None:
    from django.conf import settings

    from tests.harness.processes import celery_worker_running

    assert settings.CELERY_BROKER_URL == "filesystem://"
    address = unique_email("embedded")
    with celery_worker_running():
        assert apply(client, posting, email=address).status_code == 302
        [message] = smtp_mailbox.wait_for(address)
    assert "We received your application" in str(message["Subject"])
    email = OutboundEmail.objects.get(to_address=address)
    assert email.status in {OutboundEmail.Status.SENDING, OutboundEmail.Status.SENT}
