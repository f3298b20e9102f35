"""The posting dashboard: funnel, time to decision, who may see it, and its query budget."""

import itertools
import uuid
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from recruitment.accounts.services import enrol_totp
from recruitment.models import Application, ApplicationEvent, Candidate, Posting, TeamMembership
from recruitment.pipeline import statistics
from tests.factories import TEST_TOTP_SECRET, PostingFactory

pytestmark = pytest.mark.django_db

Stage = Application.Stage
Role = TeamMembership.Role
Kind = ApplicationEvent.Kind

# Session, user, second factor, posting, two role checks, funnel, decision times, sources,
# two permission reads, the navigation's talent pool link (may the user use it).
QUERY_BUDGET = 12


# --- Given helpers --------------------------------------------------------------------------------

_numbers = itertools.count()


def staff_user(*, superuser: bool = False) -> User:
    name = f"staff-{next(_numbers)}"
    if superuser:
        user = User.objects.create_superuser(username=name, email=f"{name}@example.com")
    else:
        user = User.objects.create_user(username=name, is_staff=True)
    enrol_totp(user, TEST_TOTP_SECRET)  # no staff page without a second factor
    return user


def on_team(posting: Posting, role: str) -> User:
    user = staff_user()
    TeamMembership.objects.create(posting=posting, user=user, role=role)
    return user


def candidate() -> Candidate:
    return Candidate.objects.create(
        email=f"candidate-{uuid.uuid4().hex}@example.com", full_name="A. Candidate"
    )


def application(posting: Posting, *, path: Sequence[str]) -> Application:
    """An application that moved through `path` (its first stage is where it was submitted)."""
    created = Application.objects.create(
        candidate=candidate(),
        posting=posting,
        stage=path[-1],
        language="en",
        attested_min_age=18,
    )
    previous = ""
    for stage in path:
        kind = Kind.SUBMITTED if not previous else Kind.STAGE_CHANGED
        ApplicationEvent.objects.create(
            application=created, kind=kind, from_stage=previous, to_stage=stage
        )
        previous = stage
    return created


def decided(posting: Posting, *, after: timedelta, stage: str = Stage.UNSUCCESSFUL) -> None:
    """An application decided `after` its submission."""
    created = application(posting, path=[Stage.APPLIED, stage])
    submitted = timezone.now() - timedelta(days=200)
    Application.objects.filter(pk=created.pk).update(
        created_at=submitted, decided_at=submitted + after
    )


def dashboard_url(posting: Posting) -> str:
    return reverse("staff:posting_dashboard", kwargs={"pk": posting.pk})


def reached(funnel: statistics.Funnel) -> dict[str, int]:
    return {step.stage: step.count for step in funnel.reached}


# --- Funnel ---------------------------------------------------------------------------------------


def test_the_funnel_counts_skipped_stages_as_reached_and_decided_ones_up_to_where_they_got(
    posting: Posting,
) -> None:
    # Given applications that stayed, skipped ahead, failed, withdrew and were hired
    application(posting, path=[Stage.APPLIED])
    application(posting, path=[Stage.APPLIED, Stage.INTERVIEW])
    application(posting, path=[Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.UNSUCCESSFUL])
    application(posting, path=[Stage.APPLIED, Stage.SCREENING, Stage.WITHDRAWN])
    application(
        posting,
        path=[Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED],
    )
    rejected_at_once = application(posting, path=[Stage.APPLIED, Stage.UNSUCCESSFUL])
    # ... an event that is not a stage change, and an application to another posting
    ApplicationEvent.objects.create(application=rejected_at_once, kind=Kind.INTERVIEWER_ASSIGNED)
    application(PostingFactory.create(), path=[Stage.APPLIED, Stage.OFFER, Stage.HIRED])

    # When the funnel is computed
    funnel = statistics.stage_funnel(Application.objects.filter(posting=posting))

    # Then
    assert reached(funnel) == {
        Stage.APPLIED: 6,
        Stage.SCREENING: 4,
        Stage.INTERVIEW: 3,
        Stage.OFFER: 1,
        Stage.HIRED: 1,
    }
    assert (funnel.total, funnel.in_progress) == (6, 2)
    assert (funnel.unsuccessful, funnel.withdrawn) == (2, 1)


def test_an_application_moved_ahead_without_events_counts_by_its_current_stage(
    posting: Posting,
) -> None:
    # Given an application whose only event is its submission, now sitting in offer
    offered = application(posting, path=[Stage.APPLIED])
    Application.objects.filter(pk=offered.pk).update(stage=Stage.OFFER)

    # When
    funnel = statistics.stage_funnel(Application.objects.filter(posting=posting))

    # Then it reached every stage up to offer
    assert reached(funnel) == {
        Stage.APPLIED: 1,
        Stage.SCREENING: 1,
        Stage.INTERVIEW: 1,
        Stage.OFFER: 1,
        Stage.HIRED: 0,
    }


def test_the_dashboard_shows_the_funnel_as_a_chart_and_a_table(
    client: Client, posting: Posting
) -> None:
    # Given
    application(posting, path=[Stage.APPLIED, Stage.INTERVIEW])
    application(posting, path=[Stage.APPLIED, Stage.SCREENING, Stage.UNSUCCESSFUL])
    client.force_login(on_team(posting, Role.RECRUITER))

    # When
    response = client.get(dashboard_url(posting))

    # Then
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img" aria-label="Applications that reached each stage: Applied: 2 (100%);' in page
    assert "Interview: 1 (50%)" in page
    assert '<tr><th scope="row">Screening</th><td>2</td><td>100%</td></tr>' in page
    assert "<dt>Unsuccessful</dt><dd>1</dd>" in page
    assert reverse("staff:pipeline", kwargs={"pk": posting.pk}) in page
    # Nothing the strict Content-Security-Policy would block
    assert "style=" not in page


def test_a_posting_without_applications_says_so_instead_of_drawing_empty_charts(
    client: Client, posting: Posting
) -> None:
    client.force_login(on_team(posting, Role.HIRING_MANAGER))

    response = client.get(dashboard_url(posting))

    assert response.status_code == 200
    page = response.content.decode()
    assert "No applications yet" in page
    assert "<svg" not in page


# --- Time to decision -----------------------------------------------------------------------------


def test_time_to_decision_gives_median_90th_percentile_and_histogram(posting: Posting) -> None:
    # Given seven decisions and one application still open
    for days in (2, 5, 9, 12, 20, 45, 90):
        decided(posting, after=timedelta(days=days))
    application(posting, path=[Stage.APPLIED, Stage.SCREENING])

    # When
    times = statistics.decision_times(Application.objects.filter(posting=posting))

    # Then
    assert times.count == 7
    assert times.median_days == pytest.approx(12.0)
    assert times.p90_days == pytest.approx(63.0)  # 45 + 0.4 * (90 - 45)
    assert [bucket.count for bucket in times.histogram] == [2, 2, 1, 1, 1]


def test_histogram_buckets_hold_whole_days_elapsed(posting: Posting) -> None:
    # Given decisions just either side of the bucket edges
    for after in (
        timedelta(days=7, hours=23),
        timedelta(days=8),
        timedelta(days=30, hours=23),
        timedelta(days=31),
        timedelta(days=60, hours=23),
        timedelta(days=61),
    ):
        decided(posting, after=after, stage=Stage.WITHDRAWN)

    times = statistics.decision_times(Application.objects.filter(posting=posting))

    assert [(str(bucket.label), bucket.count) for bucket in times.histogram] == [
        ("0-7 days", 1),
        ("8-14 days", 1),
        ("15-30 days", 1),
        ("31-60 days", 2),
        ("More than 60 days", 1),
    ]


def test_without_decisions_there_is_no_median_and_no_chart(
    client: Client, posting: Posting
) -> None:
    application(posting, path=[Stage.APPLIED])

    times = statistics.decision_times(Application.objects.filter(posting=posting))
    client.force_login(on_team(posting, Role.RECRUITER))
    page = client.get(dashboard_url(posting)).content.decode()

    assert (times.count, times.median_days, times.p90_days) == (0, None, None)
    assert "No decisions yet" in page
    assert page.count('role="img"') == 2  # the funnel and the sources, no decision chart


def test_the_dashboard_shows_median_and_90th_percentile_in_days(
    client: Client, posting: Posting
) -> None:
    for days in (1, 2, 3, 4):
        decided(posting, after=timedelta(days=days), stage=Stage.HIRED)
    client.force_login(on_team(posting, Role.RECRUITER))

    page = client.get(dashboard_url(posting)).content.decode()

    assert "<dt>Median</dt><dd>2.5 days</dd>" in page
    assert "<dt>90th percentile</dt><dd>3.7 days</dd>" in page
    assert '<tr><th scope="row">0-7 days</th><td>4</td></tr>' in page


def test_percentile_interpolates_between_ranks() -> None:
    assert statistics.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == pytest.approx(2.5)
    assert statistics.percentile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)
    assert statistics.percentile([5.0], 0.9) == pytest.approx(5.0)


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.HIRING_MANAGER])
def test_deciding_roles_see_the_dashboard(client: Client, posting: Posting, role: str) -> None:
    client.force_login(on_team(posting, role))

    assert client.get(dashboard_url(posting)).status_code == 200


def test_an_admin_sees_any_posting_dashboard(client: Client, posting: Posting) -> None:
    client.force_login(staff_user(superuser=True))

    assert client.get(dashboard_url(posting)).status_code == 200


def test_an_interviewer_on_the_team_gets_404(client: Client, posting: Posting) -> None:
    client.force_login(on_team(posting, Role.INTERVIEWER))

    assert client.get(dashboard_url(posting)).status_code == 404


def test_staff_not_on_the_team_get_404(client: Client, posting: Posting) -> None:
    # Given a recruiter of another posting
    client.force_login(on_team(PostingFactory.create(), Role.RECRUITER))

    assert client.get(dashboard_url(posting)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, posting: Posting) -> None:
    response = client.get(dashboard_url(posting))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- Queries --------------------------------------------------------------------------------------


def _many_applications(posting: Posting, count: int) -> None:
    """`count` applications, each with a submission and a stage change, in a few queries."""
    paths = [
        [Stage.APPLIED, Stage.SCREENING],
        [Stage.APPLIED, Stage.INTERVIEW, Stage.UNSUCCESSFUL],
        [Stage.APPLIED, Stage.OFFER, Stage.HIRED],
    ]
    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"bulk-{uuid.uuid4().hex}@example.com", full_name="B. Candidate")
        for _ in range(count)
    )
    decided_at = timezone.now() + timedelta(days=3)
    applications = Application.objects.bulk_create(
        Application(
            candidate=person,
            posting=posting,
            stage=paths[index % 3][-1],
            language="en",
            attested_min_age=18,
            decided_at=decided_at if index % 3 else None,
        )
        for index, person in enumerate(candidates)
    )
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=row, kind=Kind.STAGE_CHANGED, to_stage=stage)
        for index, row in enumerate(applications)
        for stage in paths[index % 3]
    )


def test_the_dashboard_runs_the_same_number_of_queries_for_10_or_300_applications(
    client: Client, posting: Posting, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    # Given a recruiter and ten applications
    client.force_login(on_team(posting, Role.RECRUITER))
    _many_applications(posting, 10)

    # When the dashboard is drawn for 10, then for 300 applications
    with (
        django_assert_max_num_queries(QUERY_BUDGET),
        CaptureQueriesContext(connection) as few,
    ):
        small = client.get(dashboard_url(posting))
    _many_applications(posting, 290)
    with (
        django_assert_max_num_queries(QUERY_BUDGET),
        CaptureQueriesContext(connection) as many,
    ):
        large = client.get(dashboard_url(posting))

    # Then the data grew but the queries did not
    assert "<dt>Applications</dt><dd>10</dd>" in small.content.decode()
    assert "<dt>Applications</dt><dd>300</dd>" in large.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
