"""A CV's text is read by the worker after the upload (recruitment.cvs.extraction), never
while the candidate waits, and never for an application that is restricted or erased."""

import io
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.postgres.search import SearchQuery
from django.utils import timezone

from ats import enqueue
from notifications.models import OutboundEmail
from recruitment.cvs import extraction, search_index, storage
from recruitment.cvs.checks import inspect_cv
from recruitment.models import Application, CurriculumVitae, Posting
from recruitment.retention.services import purge, restrictions
from recruitment.rights.services.self_service import request_erasure
from tests.harness.applying import apply_as, cv_replaced, texts_read
from tests.harness.faults import celery_broker, private_redis
from tests.harness.processes import app_env, celery_worker_process
from tests.hostile.docx import valid_docx
from tests.hostile.pdf import pdf_slow_to_read, valid_pdf

pytestmark = pytest.mark.django_db


def applied(posting: Posting, cv: bytes) -> Application:
    """An application through the service, with the CV checked as the form checks it."""
    return apply_as(posting, "Tekla Text", cv=cv)


def recorded_sends(patch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """What is published from now on, (task name, arguments) each, instead of the broker."""
    sent: list[tuple[str, list[str]]] = []
    patch.setattr(
        enqueue,
        "current_app",
        SimpleNamespace(send_task=lambda name, args: sent.append((name, args))),
    )
    return sent


@pytest.mark.parametrize(
    "cv", [valid_pdf(text="Erlang"), valid_docx(text="Erlang")], ids=["pdf", "docx"]
)
def test_the_upload_reads_no_text_and_leaves_it_to_the_worker(cv: bytes) -> None:
    assert inspect_cv(io.BytesIO(cv), max_bytes=len(cv)).text is None
    assert inspect_cv(io.BytesIO(cv), max_bytes=len(cv), read_text=True).text == "Erlang"


def test_an_uploaded_cv_is_pending_until_read_then_its_text_is_searchable(
    posting: Posting,
) -> None:
    application = applied(posting, valid_pdf(text="Erlang and OCaml"))
    cv = CurriculumVitae.objects.get(application=application)
    assert (cv.text, cv.text_pending) == ("", True)

    assert extraction.read_text(cv.pk) is True
    cv.refresh_from_db()
    assert (cv.text, cv.text_pending) == ("Erlang and OCaml", False)
    words = SearchQuery("OCaml", config=search_index.SEARCH_CONFIG)
    searchable = Application.objects.filter(pk=application.pk, search_vector=words)
    assert searchable.exists(), "the application's search vector was refreshed with it"

    assert extraction.read_text(cv.pk) is False, "rerun: nothing pending"
    cv.refresh_from_db()
    assert cv.text == "Erlang and OCaml"


def test_a_restricted_applications_cv_is_not_read_until_the_restriction_is_lifted(
    posting: Posting,
) -> None:
    application = applied(posting, valid_pdf(text="Cobol"))
    cv = CurriculumVitae.objects.get(application=application)
    restrictions.freeze([Application.objects.get(pk=application.pk)])

    assert extraction.read_text(cv.pk) is False
    cv.refresh_from_db()
    assert (cv.text, cv.text_pending) == ("", True), "only storage while restricted"
    later = timezone.now() + extraction.SWEEP_GRACE * 2
    assert extraction.read_pending_texts(later) == 0, "the sweep leaves it alone too"

    restrictions.release_unless_requested([Application.objects.get(pk=application.pk)])
    with pytest.MonkeyPatch.context() as patch:
        sent = recorded_sends(patch)
        assert extraction.read_pending_texts(timezone.now()) == 0, "its own message may come"
        assert extraction.read_pending_texts(later) == 1
    assert sent == [(extraction.READ_CV_TEXT_TASK, [str(cv.pk)])], "the id only"
    assert extraction.read_text(cv.pk) is True


def test_a_cv_erased_before_the_worker_reads_it_stays_erased(posting: Posting) -> None:
    application = applied(posting, valid_pdf(text="Prolog"))
    cv_id = CurriculumVitae.objects.get(application=application).pk
    request_erasure(candidate=application.candidate)
    assert extraction.read_text(cv_id) is False, "about to be erased: not read"

    OutboundEmail.objects.all().delete()  # the confirmation is out; the purge need not wait
    purge.purge_application(application.pk)
    assert not CurriculumVitae.objects.filter(pk=cv_id).exists()
    assert extraction.read_text(cv_id) is False
    assert not CurriculumVitae.objects.filter(pk=cv_id).exists(), "no row written back"


def test_a_cv_replaced_while_its_text_is_being_read_keeps_only_the_new_text(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = applied(posting, valid_pdf(text="Pascal"))
    old = CurriculumVitae.objects.get(application=application)
    reading = extraction.text_of

    def replaced_meanwhile(data: bytes) -> str:
        # The candidate replaces the CV while the worker reads the old one's bytes.
        cv_replaced(application, valid_docx(text="Rust"), "new.docx")
        return reading(data)

    monkeypatch.setattr(extraction, "text_of", replaced_meanwhile)
    assert extraction.read_text(old.pk) is False
    monkeypatch.setattr(extraction, "text_of", reading)
    [current] = CurriculumVitae.objects.filter(application=application)
    assert current.text_pending and current.text == ""
    assert texts_read() == 1
    current.refresh_from_db()
    assert current.text == "Rust"
    words = SearchQuery("Pascal", config=search_index.SEARCH_CONFIG)
    assert not Application.objects.filter(pk=application.pk, search_vector=words).exists()


def test_storage_down_leaves_the_cv_pending_for_a_retry(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = applied(posting, valid_pdf(text="Smalltalk"))
    cv = CurriculumVitae.objects.get(application=application)

    def storage_down(key: str) -> bytes:
        raise storage.StorageUnavailable

    with monkeypatch.context() as patch:
        patch.setattr(storage, "read_object", storage_down)
        with pytest.raises(storage.StorageUnavailable):
            extraction.read_text(cv.pk)
    cv.refresh_from_db()
    assert (cv.text, cv.text_pending) == ("", True)
    assert extraction.read_text(cv.pk) is True


def test_a_cv_the_checks_refuse_now_is_read_as_no_text(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = applied(posting, valid_pdf(text="Fortran"))
    cv = CurriculumVitae.objects.get(application=application)
    monkeypatch.setattr(storage, "read_object", lambda key: b"%PDF-1.7 tightened checks")
    assert extraction.read_text(cv.pk) is True
    cv.refresh_from_db()
    assert (cv.text, cv.text_pending) == ("", False), "read: nothing to find, not retried"


def test_a_broker_that_is_down_is_only_logged_and_the_sweep_enqueues_later(
    posting: Posting,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broker_down(name: str, args: list[str]) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(enqueue, "current_app", SimpleNamespace(send_task=broker_down))
    with django_capture_on_commit_callbacks(execute=True):
        application = applied(posting, valid_pdf(text="Lisp"))
    cv = CurriculumVitae.objects.get(application=application)
    assert Application.objects.filter(pk=application.pk).exists(), "the application stands"
    assert f"recruitment.read_cv_text({cv.pk}) not enqueued (ConnectionError)" in caplog.text
    assert "Tekla" not in caplog.text and "Lisp" not in caplog.text

    sent = recorded_sends(monkeypatch)
    later = timezone.now() + extraction.SWEEP_GRACE + timedelta(minutes=1)
    assert extraction.read_pending_texts(later) == 1
    assert sent == [(extraction.READ_CV_TEXT_TASK, [str(cv.pk)])]


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_a_real_worker_reads_the_text_of_an_upload_through_the_form(
    client: Any, posting: Posting, celery_worker: None
) -> None:
    from tests.harness.applying import apply

    response = apply(
        client,
        posting,
        cv=_uploaded(valid_pdf(text="Haskell and Elm")),
    )
    assert response.status_code == 302
    cv = CurriculumVitae.objects.get()
    deadline = time.monotonic() + 30
    while cv.text_pending and time.monotonic() < deadline:
        time.sleep(0.2)
        cv.refresh_from_db()
    assert (cv.text, cv.text_pending) == ("Haskell and Elm", False)
    words = SearchQuery("Elm", config=search_index.SEARCH_CONFIG)
    assert Application.objects.filter(search_vector=words).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(240)
def test_a_cv_whose_one_page_takes_a_minute_to_read_is_stopped_at_the_time_limit(
    posting: Posting, settings: Any
) -> None:
    """A PDF of a few KB that costs pypdf most of a minute for its one page, read by
    `make run`'s prefork worker: at ATS_CV_TEXT_SECONDS the read is interrupted, the CV is
    kept without text and no longer pending (never read again), and the worker goes on to
    the CV queued behind it. Without the limit, the CV would get 100,000 characters of
    the page's text, a minute later."""
    with private_redis() as broker, celery_broker(broker.url):
        slow = apply_as(posting, "Slow Reader", cv=pdf_slow_to_read())
        quick = apply_as(posting, "Quick Reader", cv=valid_pdf(text="Erlang"))
        env = app_env(settings, REDIS_URL=broker.url, ATS_CV_TEXT_SECONDS="2")
        with celery_worker_process(env, pool="prefork") as worker:
            pending = CurriculumVitae.objects.filter(text_pending=True)
            deadline = time.monotonic() + 150
            while pending.exists() and time.monotonic() < deadline:
                assert worker.poll() is None, "the worker died"
                time.sleep(0.5)
    texts = dict(CurriculumVitae.objects.values_list("application_id", "text"))
    assert not pending.exists()
    assert texts == {slow.pk: "", quick.pk: "Erlang"}


def _uploaded(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cv.pdf", data, "application/pdf")
