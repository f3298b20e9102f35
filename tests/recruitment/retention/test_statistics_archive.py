"""Anonymous statistics survive the purge, hold no personal data, and feed the funnel."""

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import (
    Application,
    ApplicationStatistic,
    Candidate,
    ErasureRecord,
    Posting,
    TeamMembership,
)
from recruitment.pipeline import statistics
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import purge
from recruitment.retention.services import schedule as retention
from recruitment.retention.services.statistics_archive import submitted_month
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply_as
from tests.harness.evidence import database_dump, personal_data
from tests.recruitment.pipeline.test_dashboard import (
    QUERY_BUDGET,
    application,
    dashboard_url,
    on_team,
    reached,
)
from tools import devstack

Stage = Application.Stage
Role = TeamMembership.Role


def conclude(posting: Posting) -> datetime:
    """Concludes the posting directly (its applications are all decided); returns when."""
    now = timezone.now()
    Posting.objects.filter(pk=posting.pk).update(concluded_at=now)
    retention.recompute(Application.objects.filter(posting=posting))
    return now


def purge_now(app: Application, *, now: datetime) -> str:
    return purge.purge_application(app.pk, now=now)


def archived(posting: Posting) -> set[tuple[str, str, int]]:
    return set(
        ApplicationStatistic.objects.filter(posting_id=posting.pk).values_list(
            "stage_reached", "outcome", "count"
        )
    )


# --- Written by the purge -----------------------------------------------------------------------


@pytest.mark.django_db
def test_purging_counts_each_application_by_the_furthest_stage_it_reached(
    posting: Posting,
) -> None:
    # Given decided applications with different histories
    applications = [
        application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL]),
        application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL]),
        application(
            posting, path=[Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.UNSUCCESSFUL]
        ),
        # skipped ahead to offer, then withdrew
        application(posting, path=[Stage.APPLIED, Stage.OFFER, Stage.WITHDRAWN]),
    ]
    concluded = conclude(posting)

    # When each is purged
    outcomes = [purge_now(app, now=concluded + timedelta(minutes=1)) for app in applications]

    # Then only anonymous counts are left, one row per kind, counting every application
    assert outcomes == [purge.Outcome.ERASED] * 4
    assert not Application.objects.filter(posting=posting).exists()
    assert archived(posting) == {
        (Stage.APPLIED, Stage.UNSUCCESSFUL, 2),
        (Stage.INTERVIEW, Stage.UNSUCCESSFUL, 1),
        (Stage.OFFER, Stage.WITHDRAWN, 1),
    }
    month = submitted_month(applications[0])
    assert set(ApplicationStatistic.objects.values_list("month", "source")) == {(month, "careers")}
    assert month.day == 1


@pytest.mark.django_db
def test_an_application_moved_without_events_counts_by_the_stage_it_stood_in(
    posting: Posting,
) -> None:
    # Given an application flagged under-age while in interview (no event took it there)
    flagged = application(posting, path=[Stage.APPLIED])
    Application.objects.filter(pk=flagged.pk).update(stage=Stage.INTERVIEW)

    # When it is erased at once
    recruiter = Actor(
        MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    )
    assert purge.erase_now(application=flagged, actor=recruiter) == purge.Outcome.ERASED

    # Then its outcome is the stage it stood in, and it reached everything up to it
    assert archived(posting) == {(Stage.INTERVIEW, Stage.INTERVIEW, 1)}


@pytest.mark.django_db
def test_the_month_is_the_local_month_of_submission(posting: Posting, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Belgrade"
    app = application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL])
    # 23:30 UTC on 31 January is already 1 February in Belgrade
    late_january = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    Application.objects.filter(pk=app.pk).update(created_at=late_january)
    concluded = conclude(posting)

    purge_now(app, now=concluded + timedelta(minutes=1))

    assert ApplicationStatistic.objects.get().month == date(2026, 2, 1)


@pytest.mark.django_db
def test_purging_twice_counts_once(posting: Posting) -> None:
    app = application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL])
    later = conclude(posting) + timedelta(minutes=1)

    assert purge_now(app, now=later) == purge.Outcome.ERASED
    assert purge_now(app, now=later) == purge.Outcome.GONE

    assert archived(posting) == {(Stage.APPLIED, Stage.UNSUCCESSFUL, 1)}


@pytest.mark.django_db
def test_a_purge_that_is_not_due_or_fails_counts_nothing(posting: Posting, settings: Any) -> None:
    # Given one application still open (in a process not concluded) and one due, with
    # storage down
    open_one = application(PostingFactory.create(), path=[Stage.APPLIED, Stage.SCREENING])
    due = application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL])
    Posting.objects.filter(pk=posting.pk).update(concluded_at=timezone.now())
    later = timezone.now() + timedelta(minutes=1)
    working = copy.deepcopy(settings.STORAGES)
    broken = copy.deepcopy(working)
    broken["cvs"]["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{devstack.free_port()}"
    due.cvs.create(
        storage_key="cv/not-really-there",
        original_filename="cv.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    settings.STORAGES = broken

    # When both are purged
    outcomes = (purge_now(open_one, now=later), purge_now(due, now=later))

    # Then nothing was erased and nothing counted
    settings.STORAGES = working
    assert outcomes == (purge.Outcome.NOT_DUE, purge.Outcome.FAILED)
    assert not ApplicationStatistic.objects.exists()
    due.cvs.all().delete()


@pytest.mark.django_db
def test_after_conclusion_the_counts_survive_and_no_personal_data_does(posting: Posting) -> None:
    # Given real applications through the careers form, decided and concluded
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    actor = Actor(user=recruiter)
    gone = [apply_as(posting, "Stat Gone"), apply_as(posting, "Stat Withdrawn")]
    hired = apply_as(posting, "Stat Hired")
    pipeline.move_application(application_id=gone[0].pk, to_stage="interview", actor=actor)
    pipeline.move_application(application_id=gone[0].pk, to_stage="unsuccessful", actor=actor)
    pipeline.move_application(application_id=gone[1].pk, to_stage="withdrawn", actor=actor)
    pipeline.move_application(application_id=hired.pk, to_stage="hired", actor=actor)
    gone_data = [value for app in gone for value in personal_data(app)]
    pipeline.conclude_process(posting=posting, actor=actor)
    OutboundEmail.objects.all().delete()  # notices already out, for this test

    # When the sweep erases them
    assert purge.sweep(now=timezone.now() + timedelta(minutes=1)).erased == 2

    # Then the counts are there, and neither they nor anything else names the candidates
    assert ErasureRecord.objects.count() == 2
    assert archived(posting) == {
        (Stage.INTERVIEW, Stage.UNSUCCESSFUL, 1),
        (Stage.APPLIED, Stage.WITHDRAWN, 1),
    }
    rows = " ".join(str(row) for row in ApplicationStatistic.objects.values_list())
    dump = database_dump()
    for value in gone_data:
        assert value not in rows, value
        assert value not in dump, value
    # And the dashboard funnel still counts all three
    funnel = statistics.stage_funnel(
        Application.objects.filter(posting=posting), posting_id=posting.pk
    )
    assert (funnel.total, funnel.erased, funnel.unsuccessful, funnel.withdrawn) == (3, 2, 1, 1)
    assert reached(funnel)[Stage.INTERVIEW] == 2  # the erased one and the hired one


@pytest.mark.django_db
def test_the_statistics_table_has_no_column_that_could_hold_a_name_or_an_email() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT column_name, data_type, character_maximum_length
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = %s
            """,
            [ApplicationStatistic._meta.db_table],
        )
        columns = {name: (kind, length) for name, kind, length in cursor.fetchall()}
        cursor.execute(
            """
            SELECT count(*) FROM information_schema.table_constraints
            WHERE table_schema = current_schema() AND table_name = %s
              AND constraint_type = 'FOREIGN KEY'
            """,
            [ApplicationStatistic._meta.db_table],
        )
        [(foreign_keys,)] = cursor.fetchall()

    assert columns == {
        "id": ("bigint", None),
        "posting_id": ("bigint", None),
        "month": ("date", None),
        "stage_reached": ("character varying", 20),
        "outcome": ("character varying", 20),
        # A source's slug (not a foreign key: the count outlives the source).
        "source": ("character varying", 50),
        "count": ("integer", None),
    }
    assert foreign_keys == 0, "no link to a candidate, an application or anything else"


@pytest.mark.django_db
def test_the_schema_refuses_free_text_in_the_choice_columns(posting: Posting) -> None:
    from django.db import IntegrityError, transaction

    for field in ("stage_reached", "outcome", "source"):
        values = {
            "posting_id": posting.pk,
            "month": date(2026, 1, 1),
            "stage_reached": Stage.APPLIED,
            "outcome": Stage.WITHDRAWN,
            "source": "careers",
            "count": 1,
            field: "ana@example.com",
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationStatistic.objects.create(**values)


# --- Read by the funnel --------------------------------------------------------------------------


def archive(posting: Posting, stage_reached: str, outcome: str, count: int) -> None:
    ApplicationStatistic.objects.create(
        posting_id=posting.pk,
        month=date(2026, 1, 1),
        stage_reached=stage_reached,
        outcome=outcome,
        count=count,
    )


@pytest.mark.django_db
def test_the_funnel_adds_the_erased_applications_of_that_posting(posting: Posting) -> None:
    # Given live applications
    application(posting, path=[Stage.APPLIED])
    application(posting, path=[Stage.APPLIED, Stage.SCREENING, Stage.UNSUCCESSFUL])
    application(posting, path=[Stage.APPLIED, Stage.OFFER, Stage.HIRED])
    # ... erased ones of this posting (two months, one erased while open) and of another
    archive(posting, Stage.INTERVIEW, Stage.UNSUCCESSFUL, 3)
    ApplicationStatistic.objects.create(
        posting_id=posting.pk,
        month=date(2026, 2, 1),
        stage_reached=Stage.INTERVIEW,
        outcome=Stage.UNSUCCESSFUL,
        count=2,
    )
    archive(posting, Stage.SCREENING, Stage.WITHDRAWN, 4)
    archive(posting, Stage.HIRED, Stage.HIRED, 1)
    archive(posting, Stage.SCREENING, Stage.SCREENING, 1)
    archive(PostingFactory.create(), Stage.OFFER, Stage.UNSUCCESSFUL, 50)
    live = Application.objects.filter(posting=posting)

    # When the funnel is computed with and without the archive
    funnel = statistics.stage_funnel(live, posting_id=posting.pk)
    live_only = statistics.stage_funnel(live)

    # Then the erased ones count as live ones would
    assert reached(funnel) == {
        Stage.APPLIED: 3 + 11,
        Stage.SCREENING: 2 + 11,
        Stage.INTERVIEW: 1 + 6,
        Stage.OFFER: 1 + 1,
        Stage.HIRED: 1 + 1,
    }
    assert (funnel.total, funnel.erased) == (14, 11)
    assert (funnel.unsuccessful, funnel.withdrawn) == (1 + 5, 4)
    assert funnel.in_progress == 1, "erased while open is not in progress"
    assert (live_only.total, live_only.erased, live_only.unsuccessful) == (3, 0, 1)


@pytest.mark.django_db
def test_a_posting_whose_applications_were_all_erased_still_has_a_funnel(
    client: Client, posting: Posting
) -> None:
    archive(posting, Stage.SCREENING, Stage.UNSUCCESSFUL, 2)
    client.force_login(on_team(posting, Role.RECRUITER))

    page = client.get(dashboard_url(posting)).content.decode()

    assert "<dt>Applications</dt><dd>2</dd>" in page
    assert '<tr><th scope="row">Screening</th><td>2</td><td>100%</td></tr>' in page
    assert "<dt>Unsuccessful</dt><dd>2</dd>" in page


@pytest.mark.django_db
def test_the_dashboard_counts_live_and_erased_in_the_same_number_of_queries(
    client: Client, posting: Posting, django_assert_max_num_queries: Any
) -> None:
    # Given a recruiter, a live application and no archive yet
    client.force_login(on_team(posting, Role.RECRUITER))
    application(posting, path=[Stage.APPLIED, Stage.INTERVIEW])
    with CaptureQueriesContext(connection) as without_archive:
        client.get(dashboard_url(posting))

    # When erased applications are archived
    for month in range(1, 13):
        ApplicationStatistic.objects.create(
            posting_id=posting.pk,
            month=date(2025, month, 1),
            stage_reached=Stage.APPLIED,
            outcome=Stage.UNSUCCESSFUL,
            count=month,
        )
    with django_assert_max_num_queries(QUERY_BUDGET), CaptureQueriesContext(connection) as with_it:
        page = client.get(dashboard_url(posting)).content.decode()

    # Then the page shows both, in as many queries
    assert "<dt>Applications</dt><dd>79</dd>" in page  # 1 + (1 + ... + 12)
    assert "<dt>In progress</dt><dd>1</dd>" in page
    assert len(with_it.captured_queries) == len(without_archive.captured_queries)


@pytest.mark.django_db
def test_nobody_outside_the_team_sees_the_erased_counts(client: Client, posting: Posting) -> None:
    archive(posting, Stage.APPLIED, Stage.UNSUCCESSFUL, 7)
    client.force_login(on_team(posting, Role.INTERVIEWER))

    assert client.get(dashboard_url(posting)).status_code == 404
    assert Candidate.objects.count() == 0
