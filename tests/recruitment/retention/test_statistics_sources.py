"""The source of an application outlives its purge: the anonymous statistics keep the slug,
and the dashboard counts applications and hires by source, live and erased together."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.careers.services import SourcedApplicant, record_sourced_application
from recruitment.cvs.checks import inspect_cv
from recruitment.models import (
    Application,
    ApplicationStatistic,
    Posting,
    Source,
    TeamMembership,
)
from recruitment.pipeline import statistics
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import purge
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply_as, pdf_naming

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role


def recorded(posting: Posting, name: str, source: str, actor: Actor) -> Application:
    pdf = pdf_naming(name)
    return record_sourced_application(
        posting=posting,
        applicant=SourcedApplicant(
            full_name=name,
            email=f"{name.lower().replace(' ', '.')}@example.com",
            phone="",
            cover_letter="",
            language="en",
            source=source,
        ),
        cv=io.BytesIO(pdf),
        cv_filename="cv.pdf",
        inspected=inspect_cv(io.BytesIO(pdf), max_bytes=len(pdf)),
        actor=actor,
    )


def by_source(posting: Posting) -> dict[str, tuple[str, int, int]]:
    counts = statistics.by_source(
        Application.objects.filter(posting=posting), posting_id=posting.pk
    )
    return {count.slug: (count.label, count.applications, count.hired) for count in counts}


def test_the_statistics_keep_the_source_after_the_purge_and_after_the_source_is_removed(
    posting: Posting,
) -> None:
    # Given applications from a platform link, a job fair (recorded by staff) and the site
    Source.objects.create(slug="linkedin", name="LinkedIn", kind=Source.Kind.PLATFORM)
    actor = Actor(user=MembershipFactory.create(posting=posting, role=Role.RECRUITER).user)
    from_link = apply_as(posting, "Src Link")
    Application.objects.filter(pk=from_link.pk).update(source_id="linkedin")
    from_fair = recorded(posting, "Src Fair", "job-fair", actor)
    hired = recorded(posting, "Src Hired", "job-fair", actor)
    from_site = apply_as(posting, "Src Site")
    for application in (from_link, from_fair, from_site):
        pipeline.move_application(
            application_id=application.pk, to_stage="unsuccessful", actor=actor
        )
    pipeline.move_application(application_id=hired.pk, to_stage="hired", actor=actor)
    before = by_source(posting)
    pipeline.conclude_process(posting=posting, actor=actor)
    OutboundEmail.objects.all().delete()  # the notices are out; the purge need not wait

    # When the sweep erases the unsuccessful ones
    assert purge.sweep(now=timezone.now() + timedelta(minutes=1)).erased == 3

    # Then the anonymous counts name each one's source
    assert set(
        ApplicationStatistic.objects.filter(posting_id=posting.pk).values_list(
            "source", "outcome", "count"
        )
    ) == {
        ("linkedin", "unsuccessful", 1),
        ("job-fair", "unsuccessful", 1),
        ("careers", "unsuccessful", 1),
    }
    # And the dashboard's counts are the same as before the purge
    assert (
        by_source(posting)
        == before
        == {
            "job-fair": ("Job fair", 2, 1),
            "linkedin": ("Recruitment platform: LinkedIn", 1, 0),
            "careers": ("Careers site", 1, 0),
        }
    )

    # When the source is deactivated, then removed (nothing live names it any more)
    Source.objects.filter(slug="linkedin").update(active=False)
    assert by_source(posting)["linkedin"][1:] == (1, 0)
    Source.objects.filter(slug="linkedin").delete()

    # Then its counts stay, under its slug
    assert by_source(posting)["linkedin"] == ("linkedin", 1, 0)


def test_a_source_in_use_cannot_be_deleted(posting: Posting) -> None:
    from django.db.models import ProtectedError

    linkedin = Source.objects.create(slug="linkedin", name="LinkedIn", kind="platform")
    application = apply_as(posting, "Src Protected")
    Application.objects.filter(pk=application.pk).update(source_id="linkedin")

    with pytest.raises(ProtectedError):
        linkedin.delete()


def test_the_dashboard_shows_applications_and_hires_by_source_in_a_chart_and_a_table(
    client: Client, posting: Posting
) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    actor = Actor(user=recruiter)
    hired = recorded(posting, "Dash Fair", "job-fair", actor)
    pipeline.move_application(application_id=hired.pk, to_stage="hired", actor=actor)
    recorded(posting, "Dash Referral", "referral", actor)
    apply_as(posting, "Dash Site")
    # Erased ones of this posting count too; another posting's never do.
    ApplicationStatistic.objects.create(
        posting_id=posting.pk,
        month=timezone.localdate().replace(day=1),
        stage_reached="applied",
        outcome="unsuccessful",
        source="referral",
        count=3,
    )
    ApplicationStatistic.objects.create(
        posting_id=PostingFactory.create().pk,
        month=timezone.localdate().replace(day=1),
        stage_reached="hired",
        outcome="hired",
        source="referral",
        count=50,
    )
    client.force_login(recruiter)

    page = client.get(
        reverse("staff:posting_dashboard", kwargs={"pk": posting.pk})
    ).content.decode()

    table = page[page.index('id="sources-table"') :]
    table = table[: table.index("</table>")]
    rows = [
        re.sub(r"<[^>]+>", "|", row).strip("|").replace("||", "|").split("|")
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)
    ]
    assert rows == [
        ["Referral", "4", "0", "0%"],
        ["Careers site", "1", "0", "0%"],
        ["Job fair", "1", "1", "100%"],
    ]
    assert "Applications and hires by source: Referral: 4 (0 hired)" in page  # the chart


def test_an_interviewer_sees_no_source_counts(client: Client, posting: Posting) -> None:
    client.force_login(MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user)
    response = client.get(reverse("staff:posting_dashboard", kwargs={"pk": posting.pk}))
    assert response.status_code == 404


def test_recorded_applications_follow_the_same_retention(posting: Posting) -> None:
    # A staff-recorded application is due at conclusion like any other: no consent keeps it.
    actor = Actor(user=MembershipFactory.create(posting=posting, role=Role.RECRUITER).user)
    application = recorded(posting, "Ret Recorded", "email", actor)
    pipeline.move_application(application_id=application.pk, to_stage="unsuccessful", actor=actor)
    pipeline.conclude_process(posting=posting, actor=actor)

    application.refresh_from_db()
    assert application.purge_due_at is not None
    assert application.purge_due_at <= timezone.now() + timedelta(seconds=5)
