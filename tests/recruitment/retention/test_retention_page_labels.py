"""The erasure ledger on the retention page shows every reason in words, never as a code."""

import uuid
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from recruitment.models import Application, Posting
from recruitment.retention.services import ledger
from recruitment.retention.services.schedule import Reason

pytestmark = pytest.mark.django_db

PAGE = reverse("staff:retention")

# Every code the retention rules can give as a reason for erasure.
REASON_CODES = sorted(
    value for name, value in vars(Reason).items() if name.isupper() and isinstance(value, str)
)
# The words in English. A new reason code fails the tests below until it has words here
# and on the page (recruitment.reasons).
ENGLISH: dict[str, str] = {
    Reason.PROCESS_CONCLUDED: "Process concluded",
    Reason.CONSENT_ENDED: "Consent ended",
    Reason.UNDER_AGE: "Under the minimum age",
    Reason.ERASURE_REQUESTED: "Erasure requested by the candidate",
    Reason.HIRED_RETENTION_ENDED: "Hired, hand-over period ended",
}


def erased_for(posting: Posting, reason: str) -> None:
    with transaction.atomic():
        ledger.append(
            application_id=uuid.uuid4(),
            posting_id=posting.pk,
            reason=reason,
            stage_reached=Application.Stage.UNSUCCESSFUL,
            objects_deleted=1,
            rows_deleted={"recruitment.Application": 1},
            actor="system",
            erased_at=timezone.now(),
        )


def ledger_reasons(content: str) -> str:
    """The erasure ledger's part of the page (the other sections hold no reason codes)."""
    return content[content.index('id="h-ledger"') :]


def test_the_ledger_shows_every_reason_in_words_not_as_its_code(
    officer_client: Client, posting: Posting
) -> None:
    for reason in REASON_CODES:
        erased_for(posting, reason)

    content = officer_client.get(PAGE).content.decode()

    for reason in REASON_CODES:
        assert ENGLISH[reason] in ledger_reasons(content)
        assert reason not in content, f"the code {reason!r} is on the page"


@pytest.mark.parametrize("language", ["bs", "hr", "sr-latn", "sr"])
def test_the_reasons_are_translated(
    officer_client: Client, posting: Posting, language: str, settings: Any
) -> None:
    for reason in REASON_CODES:
        erased_for(posting, reason)
    officer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    content = ledger_reasons(officer_client.get(PAGE).content.decode())

    for reason in REASON_CODES:
        with translation.override(language):
            words = translation.gettext(ENGLISH[reason])
        assert words != ENGLISH[reason], f"{ENGLISH[reason]!r} has no {language} translation"
        assert words in content
        assert reason not in content
