"""Staff login, posting management, teams, and the formal conclusion of a process."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from notifications.models import OutboundEmail
from recruitment.models import AccessEvent, Application, Posting, TeamMembership
from tests.factories import ApplicationFactory, MembershipFactory, PostingFactory, UserFactory
from tests.signin import sign_in, sign_in_with_password

pytestmark = pytest.mark.django_db
Role = TeamMembership.Role
Stage = Application.Stage
PASSWORD = "correct horse battery staple"


# --- Login ------------------------------------------------------------------------------------


def login(client: Client, username: str, password: str) -> Any:
    return sign_in_with_password(client, username, password)


def test_staff_log_in_and_out(client: Client) -> None:
    user = UserFactory.create()
    response = sign_in(client, user.username)
    assert response.status_code == 302 and response["Location"] == reverse("staff:home")
    assert client.get(reverse("staff:home")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("staff:home")).status_code == 302


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_wrong_password_and_unknown_user_get_the_same_message(client: Client) -> None:
    user = UserFactory.create()
    wrong = login(client, user.username, "nope").content.decode()
    unknown = login(client, "nobody-here", "nope").content.decode()
    message = "Your username and password didn"
    assert message in wrong and message in unknown

    # Beyond the CSRF tokens and the echoed username, the two pages are identical.
    def masked(page: str, username: str) -> str:
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", page).replace(username, "USERNAME")

    assert masked(wrong, user.username) == masked(unknown, "nobody-here")


def test_repeated_failures_lock_the_login_even_with_the_right_password(
    client: Client, settings: Any
) -> None:
    user = UserFactory.create()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "wrong")
    locked = login(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get(reverse("staff:home")).status_code == 302
    # An unknown username is locked out the same way: a lockout reveals nothing.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(REMOTE_ADDR="10.9.9.9"), "ghost", "wrong")
    assert login(Client(REMOTE_ADDR="10.9.9.9"), "ghost", "wrong").status_code == 429


def test_staff_change_their_password(client: Client) -> None:
    user = UserFactory.create()
    client.force_login(user)
    response = client.post(
        reverse("staff:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much better passphrase 2026",
            "new_password2": "a much better passphrase 2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a much better passphrase 2026")


# --- Postings -----------------------------------------------------------------------------------


def posting_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Site Reliability Engineer",
        "summary": "Keep things up.",
        "description": "On-call, fairly.",
        "location": "Mostar",
        "employment_type": "full_time",
    }
    data.update(overrides)
    return data


def test_a_recruiter_creates_publishes_and_closes_a_posting(client: Client) -> None:
    user = UserFactory.create()
    user.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(user)

    response = client.post(reverse("staff:posting_create"), posting_data())
    posting = Posting.objects.get()
    assert response.status_code == 302
    assert posting.status == Posting.Status.DRAFT and posting.slug == "site-reliability-engineer"
    assert TeamMembership.objects.get(posting=posting).user == user

    client.post(reverse("staff:posting_publish", kwargs={"pk": posting.pk}))
    posting.refresh_from_db()
    assert posting.status == Posting.Status.OPEN and posting.published_at is not None
    assert (
        client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug})).status_code
        == 200
    )

    client.post(reverse("staff:posting_edit", kwargs={"pk": posting.pk}), posting_data(title="SRE"))
    posting.refresh_from_db()
    assert posting.title == "SRE"
    assert posting.slug == "site-reliability-engineer", "a published URL stays stable"

    client.post(reverse("staff:posting_close", kwargs={"pk": posting.pk}))
    posting.refresh_from_db()
    assert posting.status == Posting.Status.CLOSED


def test_staff_without_the_recruiter_role_cannot_create_postings(client: Client) -> None:
    client.force_login(UserFactory.create())
    assert client.post(reverse("staff:posting_create"), posting_data()).status_code == 403
    assert not Posting.objects.exists()


def test_a_hiring_manager_cannot_edit_the_posting(client: Client, posting: Any) -> None:
    manager = MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user
    client.force_login(manager)
    assert client.get(reverse("staff:posting_edit", kwargs={"pk": posting.pk})).status_code == 403


def test_the_team_is_managed_on_the_team_page(client: Client, posting: Any) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    newcomer = UserFactory.create(username="newcomer")
    client.force_login(recruiter)

    client.post(
        reverse("staff:posting_team", kwargs={"pk": posting.pk}),
        {"user": "newcomer", "role": "interviewer"},
    )
    membership = TeamMembership.objects.get(user=newcomer)
    assert membership.role == Role.INTERVIEWER

    client.post(
        reverse(
            "staff:posting_team_remove", kwargs={"pk": posting.pk, "membership_id": membership.pk}
        )
    )
    assert not TeamMembership.objects.filter(user=newcomer).exists()


# --- Conclusion ---------------------------------------------------------------------------------


def conclude(client: Client, posting: Posting, **data: str) -> Any:
    return client.post(
        reverse("staff:posting_conclude", kwargs={"pk": posting.pk}), {"confirm": "on", **data}
    )


def test_concluding_is_refused_while_applications_are_undecided(
    client: Client, posting: Any
) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    ApplicationFactory.create(posting=posting, stage=Stage.INTERVIEW)
    ApplicationFactory.create(posting=posting, stage=Stage.HIRED)
    client.force_login(recruiter)

    response = conclude(client, posting)

    assert response.status_code == 409
    assert "1 application(s) are not decided yet" in response.content.decode()
    posting.refresh_from_db()
    assert posting.concluded_at is None


def test_concluding_can_mark_the_rest_unsuccessful_and_records_who_and_when(
    client: Client, posting: Any
) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    pending = ApplicationFactory.create(posting=posting, stage=Stage.SCREENING)
    hired = ApplicationFactory.create(posting=posting, stage=Stage.HIRED)
    client.force_login(recruiter)

    response = conclude(
        client, posting, reject_remaining="on", reason="Position filled", notify="on"
    )

    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.concluded_at is not None
    assert posting.concluded_by == recruiter
    assert posting.status == Posting.Status.CLOSED
    pending.refresh_from_db()
    hired.refresh_from_db()
    assert (pending.stage, hired.stage) == (Stage.UNSUCCESSFUL, Stage.HIRED)
    # The candidate hears "unsuccessful", then that the data is being deleted; hired: nothing.
    assert set(
        OutboundEmail.objects.filter(subject_ref=pending.pk).values_list("template", flat=True)
    ) == {"pipeline/emails/application_unsuccessful", "retention/emails/data_deleted"}
    assert not OutboundEmail.objects.filter(subject_ref=hired.pk).exists()
    assert (
        AccessEvent.objects.filter(
            action=AccessEvent.Action.CONCLUDE_PROCESS, posting_id=posting.pk
        ).count()
        == 1
    )
    # Once concluded, nothing moves any more.
    client.post(reverse("staff:application_move", kwargs={"pk": hired.pk}), {"to_stage": "offer"})
    hired.refresh_from_db()
    assert hired.stage == Stage.HIRED


def test_reject_remaining_needs_a_reason_and_confirmation(client: Client, posting: Any) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    ApplicationFactory.create(posting=posting)
    client.force_login(recruiter)
    assert conclude(client, posting, reject_remaining="on").status_code == 400
    no_confirm = client.post(reverse("staff:posting_conclude", kwargs={"pk": posting.pk}), {})
    assert no_confirm.status_code == 400
    posting.refresh_from_db()
    assert posting.concluded_at is None


def test_a_concluded_posting_cannot_be_republished(client: Client) -> None:
    posting = PostingFactory.create(status=Posting.Status.CLOSED)
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    client.force_login(recruiter)
    conclude(client, posting)
    response = client.post(reverse("staff:posting_publish", kwargs={"pk": posting.pk}), follow=True)
    assert "cannot be reopened" in response.content.decode()
    posting.refresh_from_db()
    assert posting.status == Posting.Status.CLOSED
