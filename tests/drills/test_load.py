"""Load drill: the real form, served by gunicorn as `make run` starts it, under concurrency."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.urls import reverse

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import Application, Posting
from tests.drills.invariants import CONFIRMATION, check_invariants
from tests.drills.web import Browser, Response
from tests.harness.applying import pdf_naming
from tests.harness.processes import app_env, gunicorn_server
from tests.hostile.pdf import valid_pdf

CLIENTS = 20
APPLICATIONS = 200


@pytest.mark.drill
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_200_applications_from_20_concurrent_clients_through_gunicorn(
    posting: Posting, settings: Any, unique_email: Any
) -> None:
    env = app_env(settings, ATS_APPLY_RATE_LIMIT="100000/3600")
    path = reverse("careers:posting_detail", kwargs={"slug": posting.slug})
    applied = reverse("careers:applied", kwargs={"slug": posting.slug})
    emails = [unique_email("load") for _ in range(APPLICATIONS)]
    pdfs = [pdf_naming(f"Load Candidate {n}") for n in range(APPLICATIONS)]
    pdfs[::10] = [valid_pdf(size_bytes=300 * 1024)] * len(pdfs[::10])  # some bigger ones
    local = threading.local()

    with gunicorn_server(env, workers=2) as web:

        def submit(n: int) -> Response:
            if not hasattr(local, "browser"):
                local.browser = Browser(web.url)
            return local.browser.submit(
                path,
                {
                    "full_name": f"Load Candidate {n}",
                    "email": emails[n],
                    "phone": "+381 64 123 4567",
                    "cover_letter": "Under load.",
                    "privacy_acknowledged": "on",
                    "age_attested": "on",
                },
                {"cv": (f"cv-{n}.pdf", pdfs[n], "application/pdf")},
            )

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            responses = list(pool.map(submit, range(APPLICATIONS)))
        elapsed = time.monotonic() - started
        leftovers = sorted(p.name for p in web.tmpdir.iterdir())
        log = web.log.read_text(errors="replace")

    statuses = [r.status for r in responses]
    assert not [s for s in statuses if s >= 500], f"5xx under load: {statuses}\n{log[-3000:]}"
    assert statuses == [302] * APPLICATIONS, sorted(set(statuses))
    assert {r.location for r in responses} == {applied}
    assert leftovers == [], f"upload temp files left behind: {leftovers}"

    saved = dict(Application.objects.values_list("candidate__email", "pk"))
    assert set(saved) == set(emails), "every 302 has its application row"
    confirmations = OutboundEmail.objects.filter(template=CONFIRMATION)
    assert set(confirmations.values_list("to_address", flat=True)) == set(emails)
    assert len(list(storage.iter_cv_objects())) == APPLICATIONS
    check_invariants(survivors=saved.values())
    print(f"{APPLICATIONS} applications in {elapsed:.1f}s ({APPLICATIONS / elapsed:.0f}/s)")
