"""What a test inspects to prove data is gone or was sent: a candidate's personal values, a
plain-SQL dump of the database, every object version in the bucket, and delivered emails'
text. `deliver_all_emails` sends the pending outbox; the rest only read."""

import os
import subprocess
from email.message import Message

from django.db import connection

from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import Application, Candidate
from tools import devstack


def personal_data(application: Application) -> list[str]:
    candidate = Candidate.objects.get(pk=application.candidate_id)
    return [candidate.full_name, candidate.email, candidate.phone]


def database_dump() -> str:
    """A plain-SQL dump of the test database, as an operator would take it."""
    db = connection.settings_dict
    result = subprocess.run(
        [
            devstack.postgres_bin("pg_dump"),
            "-h",
            db["HOST"],
            "-p",
            str(db["PORT"]),
            "-U",
            db["USER"],
            "--data-only",
            db["NAME"],
        ],
        env={**os.environ, "PGPASSWORD": db["PASSWORD"]},
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def bucket_contents() -> bytes:
    """Every object and every object version in the bucket, concatenated."""
    return b"".join(
        storage.read_object_version(key, version)
        for key, version in storage.iter_all_object_versions()
    )


def deliver_all_emails() -> None:
    for email_id in OutboundEmail.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver_email(email_id=email_id)


def text_of(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    payloads = [
        part.get_payload(decode=True) for part in parts if part.get_content_type() == "text/plain"
    ]
    assert all(isinstance(payload, bytes) for payload in payloads)
    return "".join(payload.decode() for payload in payloads if isinstance(payload, bytes))
