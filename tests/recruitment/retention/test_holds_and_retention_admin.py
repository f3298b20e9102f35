"""Legal holds, the retention page and the retention commands (PRIVACY.md P7)."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    ErasureRecord,
    LegalHold,
    Posting,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import holds, ledger, purge
from recruitment.retention.services import schedule as retention
from tests.factories import ApplicationFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as
from tests.harness.evidence import deliver_all_emails

pytestmark = pytest.mark.django_db

PAGE = reverse("staff:retention")
Action = AccessEvent.Action


# --- Given ------------------------------------------------------------------------------------


def concluded(posting: Posting, recruiter: Any, *names: str) -> list[Application]:
    """Unsuccessful applications of a concluded process: due for erasure at once."""
    actor = Actor(user=recruiter)
    applications = [apply_as(posting, name) for name in names]
    for application in applications:
        pipeline.move_application(
            application_id=application.pk, to_stage="unsuccessful", actor=actor
        )
    pipeline.conclude_process(posting=posting, actor=actor)
    # A purge waits for the candidate's last email; these tests are not about email.
    OutboundEmail.objects.all().delete()
    for application in applications:
        application.refresh_from_db()
    return applications


def hold_url(application: Application) -> str:
    return reverse("staff:hold_place", kwargs={"pk": application.pk})


def lift_url(hold: LegalHold) -> str:
    return reverse("staff:hold_lift", kwargs={"pk": hold.pk})


def in_a_month() -> str:
    return (timezone.localdate() + timedelta(days=30)).isoformat()


def soon() -> Any:
    return timezone.now() + timedelta(minutes=5)


# --- Holds ------------------------------------------------------------------------------------


def test_placing_a_hold_unschedules_the_purge_and_the_sweep_skips_it(
    officer_client: Client, officer: Any, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Held Applicant")
    assert application.purge_due_at is not None

    response = officer_client.post(
        hold_url(application), {"reason": "Pending litigation", "review_at": in_a_month()}
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE
    hold = LegalHold.objects.get(application=application)
    assert (hold.reason, hold.placed_by, hold.lifted_at) == ("Pending litigation", officer, None)
    application.refresh_from_db()
    assert application.purge_due_at is None
    assert AccessEvent.objects.filter(
        action=Action.PLACE_LEGAL_HOLD, application_id=application.pk, actor=officer
    ).exists()
    report = purge.sweep(now=timezone.now() + timedelta(days=365))
    assert report.erased == 0
    assert Application.objects.filter(pk=application.pk).exists()


def test_lifting_a_hold_reschedules_the_purge_and_a_later_sweep_erases(
    officer_client: Client, officer: Any, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Lifted Applicant")
    hold = holds.place_hold(
        application=application,
        actor=Actor(user=officer),
        reason="Audit by the labour inspectorate",
        review_at=timezone.localdate(),
    )
    assert purge.sweep(now=soon()).erased == 0

    response = officer_client.post(lift_url(hold))

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert hold.lifted_by == officer
    application.refresh_from_db()
    assert application.purge_due_at is not None
    assert AccessEvent.objects.filter(
        action=Action.LIFT_LEGAL_HOLD, application_id=application.pk
    ).exists()
    # The candidate is told before the data goes; the purge waits for that email.
    assert OutboundEmail.objects.filter(
        subject_ref=application.pk, template="retention/emails/data_deleted"
    ).exists()
    deliver_all_emails()
    assert purge.sweep(now=soon()).erased == 1
    assert not Application.objects.filter(pk=application.pk).exists()
    assert ErasureRecord.objects.get().application_id == application.pk


def test_lifting_a_lifted_hold_changes_nothing(
    officer: Any, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Twice Lifted")
    actor = Actor(user=officer)
    hold = holds.place_hold(
        application=application, actor=actor, reason="Tax audit", review_at=timezone.localdate()
    )
    first = holds.lift_hold(hold=hold, actor=actor)
    second = holds.lift_hold(hold=hold, actor=actor)

    assert second.lifted_at == first.lifted_at
    assert AccessEvent.objects.filter(action=Action.LIFT_LEGAL_HOLD).count() == 1


def test_a_second_hold_keeps_the_application_when_the_first_is_lifted(
    officer: Any, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Doubly Held")
    actor = Actor(user=officer)
    review = timezone.localdate()
    first = holds.place_hold(application=application, actor=actor, reason="A", review_at=review)
    holds.place_hold(application=application, actor=actor, reason="B", review_at=review)

    holds.lift_hold(hold=first, actor=actor)

    application.refresh_from_db()
    assert application.purge_due_at is None
    assert purge.sweep(now=soon()).erased == 0


def test_a_hold_on_an_application_purged_meanwhile_is_refused_clearly(
    officer: Any, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Already Gone")
    assert purge.purge_application(application.pk, now=soon()) == purge.Outcome.ERASED

    with pytest.raises(holds.ApplicationGone, match="no longer exists"):
        holds.place_hold(
            application=application,
            actor=Actor(user=officer),
            reason="Too late",
            review_at=timezone.localdate(),
        )
    assert not LegalHold.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.PLACE_LEGAL_HOLD).exists()


def test_a_review_date_in_the_past_is_refused_with_a_form_error(
    officer_client: Client, posting: Posting, recruiter: Any
) -> None:
    (application,) = concluded(posting, recruiter, "Past Review")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = officer_client.post(
        hold_url(application), {"reason": "Litigation", "review_at": yesterday}
    )

    assert response.status_code == 200
    assert "The review date must be today or later." in response.content.decode()
    assert not LegalHold.objects.exists()
    application.refresh_from_db()
    assert application.purge_due_at is not None


def test_a_hold_needs_a_reason(officer_client: Client, posting: Posting) -> None:
    application = ApplicationFactory.create(posting=posting)

    response = officer_client.post(
        hold_url(application), {"reason": " ", "review_at": in_a_month()}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not LegalHold.objects.exists()


def test_a_review_date_of_today_is_accepted(officer_client: Client, posting: Posting) -> None:
    application = ApplicationFactory.create(posting=posting)
    today = timezone.localdate()

    officer_client.post(hold_url(application), {"reason": "Court order", "review_at": today})

    assert LegalHold.objects.get().review_at == today


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_without_posting", "recruiter_on_the_posting"])
def test_other_staff_get_404_on_the_page_and_the_hold_urls(
    client: Client, posting: Posting, recruiter: Any, officer: Any, who: str
) -> None:
    application = ApplicationFactory.create(posting=posting)
    hold = holds.place_hold(
        application=application,
        actor=Actor(user=officer),
        reason="Court order",
        review_at=timezone.localdate(),
    )
    client.force_login(recruiter if who == "recruiter_on_the_posting" else UserFactory.create())

    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE).status_code == 404
    assert client.get(hold_url(application)).status_code == 404
    data = {"reason": "Mine", "review_at": in_a_month()}
    assert client.post(hold_url(application), data).status_code == 404
    assert client.post(lift_url(hold)).status_code == 404
    assert LegalHold.objects.get().lifted_at is None
    assert LegalHold.objects.count() == 1


def test_privacy_officer_and_superuser_get_the_page_and_the_hold_form(
    client: Client, officer: Any, posting: Posting
) -> None:
    application = ApplicationFactory.create(posting=posting)
    for user in (officer, UserFactory.create(is_superuser=True)):
        client.force_login(user)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "no-cache" in page["Cache-Control"]
        assert client.get(hold_url(application)).status_code == 200


def test_the_nav_links_to_the_page_only_for_those_who_may_open_it(
    client: Client, officer: Any, recruiter: Any
) -> None:
    client.force_login(officer)
    assert f'href="{PAGE}"' in client.get(reverse("staff:home")).content.decode()
    client.force_login(recruiter)
    assert f'href="{PAGE}"' not in client.get(reverse("staff:home")).content.decode()


def test_an_unknown_application_or_hold_is_404_for_the_officer(officer_client: Client) -> None:
    missing = reverse("staff:hold_place", kwargs={"pk": "00000000-0000-0000-0000-000000000000"})
    assert officer_client.get(missing).status_code == 404
    assert officer_client.post(reverse("staff:hold_lift", kwargs={"pk": 999999})).status_code == 404


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_every_section_without_names_or_addresses(
    officer_client: Client, officer: Any, posting: Posting, recruiter: Any
) -> None:
    erased, held, failing, upcoming = concluded(
        posting, recruiter, "Erna Erased", "Hugo Held", "Fran Failing", "Uma Upcoming"
    )
    purge.purge_application(erased.pk, now=soon())
    holds.place_hold(
        application=held,
        actor=Actor(user=officer),
        reason="Employment tribunal claim",
        review_at=timezone.localdate() + timedelta(days=10),
    )
    Application.objects.filter(pk=failing.pk).update(
        purge_failures=3, purge_last_error="StorageUnavailable"
    )

    content = officer_client.get(PAGE).content.decode()

    for name in ("Erna Erased", "Hugo Held", "Fran Failing", "Uma Upcoming"):
        assert name not in content
        assert name.lower().replace(" ", ".") + "@example.com" not in content
    for application in (erased, held, failing, upcoming):
        assert str(application.pk)[:8] in content
    assert "Employment tribunal claim" in content
    assert "StorageUnavailable" in content
    assert "Process concluded" in content  # the ledger's reason
    assert posting.title in content


def test_overdue_reviews_are_listed_first_with_a_badge(
    officer_client: Client, officer: Any, posting: Posting
) -> None:
    actor = Actor(user=officer)
    today = timezone.localdate()
    later = ApplicationFactory.create(posting=posting)
    overdue = ApplicationFactory.create(posting=posting)
    holds.place_hold(
        application=later, actor=actor, reason="Later", review_at=today + timedelta(days=1)
    )
    LegalHold.objects.create(
        application=overdue, reason="Overdue", review_at=today - timedelta(days=3)
    )

    response = officer_client.get(PAGE)

    rows = list(response.context["holds"])
    assert [hold.application_id for hold in rows] == [overdue.pk, later.pk]
    assert [hold.review_overdue for hold in rows] == [True, False]
    assert response.content.decode().count("Review overdue") == 1


def test_lifted_holds_are_not_listed(
    officer_client: Client, officer: Any, posting: Posting
) -> None:
    actor = Actor(user=officer)
    hold = holds.place_hold(
        application=ApplicationFactory.create(posting=posting),
        actor=actor,
        reason="Gone soon",
        review_at=timezone.localdate(),
    )
    holds.lift_hold(hold=hold, actor=actor)

    assert list(officer_client.get(PAGE).context["holds"]) == []


def test_verifying_the_ledger_reports_ok_and_then_the_tampered_record(
    officer_client: Client, posting: Posting, recruiter: Any
) -> None:
    concluded(posting, recruiter, "Ledger Ana", "Ledger Bora", "Ledger Ceca")
    assert purge.sweep(now=soon()).erased == 3

    ok = officer_client.post(PAGE, follow=True).content.decode()
    assert "The erasure ledger is intact: 3 record(s) checked." in ok

    middle = ErasureRecord.objects.order_by("pk")[1]
    ErasureRecord.objects.filter(pk=middle.pk).update(objects_deleted=0)
    broken = officer_client.post(PAGE, follow=True).content.decode()
    assert f"The erasure ledger is broken at record {middle.pk}" in broken
    assert ledger.verify().first_broken_pk == middle.pk


def populate(count: int, officer: Any) -> None:
    """`count` scheduled applications, failing purges, holds and ledger records."""
    posting = PostingFactory.create()
    now = timezone.now()
    for i in range(count):
        ApplicationFactory.create(
            posting=PostingFactory.create() if i % 2 else posting,
            stage=Application.Stage.UNSUCCESSFUL,
            purge_due_at=now + timedelta(hours=i),
            purge_failures=i % 3,
            purge_last_error="StorageUnavailable" if i % 3 else "",
        )
        LegalHold.objects.create(
            application=ApplicationFactory.create(posting=posting),
            reason=f"Reason {i}",
            review_at=timezone.localdate() + timedelta(days=i - count // 2),
            placed_by=officer if i % 2 else None,
        )
        ledger.append(
            application_id=ApplicationFactory.build().pk,
            posting_id=posting.pk,
            reason=retention.Reason.PROCESS_CONCLUDED,
            stage_reached="unsuccessful",
            objects_deleted=1,
            rows_deleted={"applications": 1},
            actor="system",
            erased_at=now,
        )


def page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return len(captured)


def test_the_page_takes_the_same_number_of_queries_at_5_and_50_due_applications(
    officer_client: Client, officer: Any
) -> None:
    populate(5, officer)
    at_5 = page_queries(officer_client)

    populate(45, officer)
    at_50 = page_queries(officer_client)

    assert at_5 == at_50
    # Session, user, permission checks, then: count, upcoming, failing, holds, ledger.
    assert at_50 <= 12


# --- Commands ---------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_purge_due_dry_run_lists_what_is_due_and_changes_nothing(
    posting: Posting, recruiter: Any
) -> None:
    due = concluded(posting, recruiter, "Dry Dragana", "Dry Dusan")
    not_due = apply_as(PostingFactory.create(), "Dry Dejan")

    output = run("purge_due", "--now", soon().isoformat())

    assert "2 application(s)" in output
    assert f"posting {posting.pk} ({posting.title}): 2" in output
    for application in due:
        assert str(application.pk) in output
    assert "process_concluded" in output
    assert str(not_due.pk) not in output
    assert "Dry run" in output
    assert Application.objects.count() == 3
    assert not ErasureRecord.objects.exists()
    for name in ("Dry Dragana", "Dry Dusan", "Dry Dejan", "dry.dragana@example.com"):
        assert name not in output


def test_purge_due_evaluates_against_the_given_time(posting: Posting, recruiter: Any) -> None:
    concluded(posting, recruiter, "Early Bird")
    earlier = (timezone.now() - timedelta(days=1)).isoformat()

    assert "0 application(s)" in run("purge_due", "--now", earlier)
    assert "0 application(s)" in run("purge_due", "--execute", "--now", earlier)
    assert Application.objects.count() == 1


def test_purge_due_execute_erases_the_due_ones_with_progress_and_no_names(
    officer: Any, posting: Posting, recruiter: Any, settings: Any
) -> None:
    settings.RETENTION_BATCH_SIZE = 1  # one progress step per batch
    gone_one, gone_two, held = concluded(posting, recruiter, "Exe One", "Exe Two", "Exe Held")
    holds.place_hold(
        application=held,
        actor=Actor(user=officer),
        reason="Court order",
        review_at=timezone.localdate(),
    )
    kept = apply_as(PostingFactory.create(), "Exe Running")

    output = run("purge_due", "--execute", "--now", soon().isoformat())

    # The progress bar, advancing batch by batch to complete.
    assert [line[-3:] for line in output.splitlines() if line.startswith("[")] == [
        "0/2",
        "1/2",
        "2/2",
    ]
    assert "Erased 2, failed 0, skipped 0" in output
    remaining = set(Application.objects.values_list("pk", flat=True))
    assert remaining == {held.pk, kept.pk}
    assert set(ErasureRecord.objects.values_list("application_id", flat=True)) == {
        gone_one.pk,
        gone_two.pk,
    }
    for name in ("Exe One", "Exe Two", "Exe Held", "Exe Running", "exe.one@example.com"):
        assert name not in output
    rerun = run("purge_due", "--execute", "--now", soon().isoformat())
    assert "0 application(s)" in rerun
    assert Application.objects.count() == 2


def test_purge_due_rejects_a_malformed_time() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO 8601"):
        run("purge_due", "--now", "next tuesday")


def test_retention_report_summarises_the_window_without_personal_data(
    officer: Any, posting: Posting, recruiter: Any
) -> None:
    failing, held, due = concluded(posting, recruiter, "Rep Failing", "Rep Held", "Rep Due")
    Application.objects.filter(pk=failing.pk).update(
        purge_failures=2, purge_last_error="StorageUnavailable"
    )
    hold = LegalHold.objects.create(
        application=held,
        reason="Rep Held's court case",
        review_at=timezone.localdate() - timedelta(days=2),
    )
    retention.recompute(Application.objects.filter(pk=held.pk))
    in_pool = apply_as(PostingFactory.create(), "Rep Pool", consent=True)
    far_future = apply_as(PostingFactory.create(), "Rep Later", consent=True)
    in_pool.candidate.consents.update(expires_at=timezone.now() + timedelta(days=10))
    far_future.candidate.consents.update(expires_at=timezone.now() + timedelta(days=100))

    output = run("retention_report", "--days", "30")

    due_day = timezone.localdate(due.purge_due_at).isoformat()
    assert "Upcoming purges: 2" in output
    assert f"{due_day}  process_concluded" in output
    assert "Consents expiring in the window: 1" in output
    assert "Active legal holds: 1; reviews overdue: 1" in output
    assert f"hold {hold.pk}  application {held.pk}" in output
    assert "Failing purges: 1" in output
    assert str(failing.pk) in output and "StorageUnavailable" in output
    assert "court case" not in output, "a hold's free-text reason may name people"
    for name in ("Rep Failing", "Rep Held", "Rep Due", "Rep Pool", "Rep Later"):
        assert name not in output
        assert name.lower().replace(" ", ".") + "@example.com" not in output


def test_retention_report_window_follows_days(posting: Posting, recruiter: Any) -> None:
    in_pool = apply_as(posting, "Window Pool", consent=True)
    in_pool.candidate.consents.update(expires_at=timezone.now() + timedelta(days=40))

    assert "Consents expiring in the window: 0" in run("retention_report")
    assert "Consents expiring in the window: 1" in run("retention_report", "--days", "45")
