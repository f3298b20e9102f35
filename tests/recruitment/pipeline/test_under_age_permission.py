"""Who may flag an application as under-age (issue 15, item 8): flagging erases the person, so
only the posting's recruiters and admins may, not its hiring managers or interviewers."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from recruitment.models import AccessEvent, Application, Posting, TeamMembership
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role


@pytest.fixture
def application(posting: Posting) -> Application:
    return ApplicationFactory.create(posting=posting, stage=Application.Stage.SCREENING)


def member(posting: Posting, role: str) -> User:
    return MembershipFactory.create(posting=posting, role=role).user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flag_url(application: Application) -> str:
    return reverse("staff:under_age", args=[application.pk])


def test_a_hiring_manager_may_not_flag_an_application_as_under_age(
    posting: Posting, application: Application
) -> None:
    hiring_manager = member(posting, Role.HIRING_MANAGER)

    response = logged_in(hiring_manager).post(flag_url(application))

    assert response.status_code == 403
    assert Application.objects.filter(pk=application.pk).exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.FLAG_UNDER_AGE).exists()


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.INTERVIEWER])
def test_the_flag_is_not_offered_to_those_who_may_not_use_it(
    posting: Posting, application: Application, role: str
) -> None:
    user = member(posting, role)
    application.assignments.create(interviewer=user)

    page = logged_in(user).get(reverse("staff:application", args=[application.pk]))

    assert page.status_code == 200
    assert flag_url(application) not in page.content.decode()


@pytest.mark.parametrize("who", ["recruiter", "admin"])
def test_the_flag_is_offered_to_the_recruiter_and_an_admin(
    posting: Posting, application: Application, who: str
) -> None:
    user = (
        member(posting, Role.RECRUITER)
        if who == "recruiter"
        else UserFactory.create(is_superuser=True)
    )

    page = logged_in(user).get(reverse("staff:application", args=[application.pk]))

    assert flag_url(application) in page.content.decode()
