"""The Django admin: candidate data only for superusers, read-only, and every view audited."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from recruitment.models import AccessEvent, Application
from tests.factories import ApplicationFactory, CvFactory, NoteFactory, PostingFactory, UserFactory

pytestmark = pytest.mark.django_db
NAME = "Vesna Quixotic-Admintest"
EMAIL = "vesna.admintest@example.org"


@pytest.fixture
def application() -> Application:
    return ApplicationFactory.create(candidate__full_name=NAME, candidate__email=EMAIL)


@pytest.fixture
def all_permissions_client(client: Client) -> Client:
    user = UserFactory.create(username="almost-admin")
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    return client


def change_url(application: Application) -> str:
    return reverse("admin:recruitment_application_change", args=[application.pk])


def admin_views() -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(action=AccessEvent.Action.ADMIN_VIEW)


def test_superuser_sees_an_application_read_only_and_the_view_is_audited(
    superuser_client: Client, superuser: User, application: Application
) -> None:
    response = superuser_client.get(change_url(application))

    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html and EMAIL in html
    assert 'name="stage"' not in html  # shown, not editable
    [event] = admin_views()
    assert event.actor_username == superuser.username
    assert event.application_id == application.pk
    assert event.posting_id == application.posting_id
    assert event.client_ip == "127.0.0.0"


def test_each_admin_view_of_an_application_is_one_audit_row(
    superuser_client: Client, application: Application
) -> None:
    superuser_client.get(change_url(application))
    superuser_client.get(change_url(application))

    assert admin_views().count() == 2


def test_a_missing_application_is_not_audited_as_viewed(superuser_client: Client) -> None:
    missing = reverse(
        "admin:recruitment_application_change", args=["00000000-0000-4000-8000-000000000000"]
    )

    response = superuser_client.get(missing)

    assert response.status_code == 302
    assert not admin_views().exists()


def test_cvs_show_what_the_file_is_but_never_a_way_to_it(
    superuser_client: Client, application: Application
) -> None:
    cv = CvFactory.create(application=application, original_filename="vesna-cv.pdf")
    NoteFactory.create(application=application, body="Knows PostgreSQL internals.")

    html = superuser_client.get(change_url(application)).content.decode()

    assert "vesna-cv.pdf" in html
    assert "Knows PostgreSQL internals." in html
    assert cv.storage_key not in html
    assert reverse("staff:cv_download", args=[application.pk, cv.pk]) not in html


def test_the_application_list_names_no_candidate(
    superuser_client: Client, application: Application
) -> None:
    response = superuser_client.get(reverse("admin:recruitment_application_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert str(application.pk) in html
    assert NAME not in html and EMAIL not in html
    assert not admin_views().exists()


def test_superuser_finds_an_application_by_its_id(
    superuser_client: Client, application: Application
) -> None:
    other = ApplicationFactory.create()
    url = reverse("admin:recruitment_application_changelist")

    found = superuser_client.get(url, {"q": str(application.pk)})
    garbage = superuser_client.get(url, {"q": "not-a-uuid"})

    assert str(application.pk) in found.content.decode()
    assert str(other.pk) not in found.content.decode()
    assert garbage.status_code == 200


def test_nobody_adds_changes_or_deletes_applications_in_the_admin(
    superuser_client: Client, application: Application
) -> None:
    add = superuser_client.get(reverse("admin:recruitment_application_add"))
    delete = superuser_client.post(
        reverse("admin:recruitment_application_delete", args=[application.pk]), {"post": "yes"}
    )
    change = superuser_client.post(change_url(application), {"stage": "hired"})
    changelist = superuser_client.get(reverse("admin:recruitment_application_changelist"))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    assert "delete_selected" not in changelist.content.decode()
    application.refresh_from_db()
    assert application.stage == Application.Stage.APPLIED


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:recruitment_application_changelist",
        "admin:recruitment_application_change",
        "admin:recruitment_application_add",
    ],
)
def test_staff_with_every_permission_but_not_superuser_cannot_open_applications(
    all_permissions_client: Client, application: Application, url_name: str
) -> None:
    args = [application.pk] if url_name.endswith("_change") else []

    response = all_permissions_client.get(reverse(url_name, args=args))

    assert response.status_code in (302, 403)
    assert NAME not in response.content.decode()
    assert not admin_views().exists()


def test_admin_index_offers_non_superusers_postings_but_no_candidate_data(
    all_permissions_client: Client,
) -> None:
    html = all_permissions_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:recruitment_posting_changelist") in html
    assert reverse("admin:recruitment_teammembership_changelist") in html
    assert reverse("admin:recruitment_application_changelist") not in html
    assert reverse("admin:recruitment_accessevent_changelist") not in html
    assert "/admin/recruitment/candidate/" not in html


def test_the_access_log_in_admin_is_read_only_and_for_superusers_only(
    client: Client, superuser_client: Client
) -> None:
    AccessEvent.objects.create(actor_username="rita", action=AccessEvent.Action.DOWNLOAD_CV)
    officer = UserFactory.create(username="olga")
    officer.groups.add(Group.objects.get(name="Privacy officers"))
    changelist = reverse("admin:recruitment_accessevent_changelist")

    as_superuser = superuser_client.get(changelist, {"action__exact": "download_cv"})
    add = superuser_client.get(reverse("admin:recruitment_accessevent_add"))
    client.force_login(officer)
    as_officer = client.get(changelist)

    assert as_superuser.status_code == 200 and "rita" in as_superuser.content.decode()
    assert add.status_code == 403
    assert as_officer.status_code == 403


def test_posting_admin_keeps_the_conclusion_read_only(superuser_client: Client) -> None:
    posting = PostingFactory.create()

    response = superuser_client.get(reverse("admin:recruitment_posting_change", args=[posting.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title"' in html
    assert 'name="concluded_at' not in html and 'name="concluded_by"' not in html
    assert 'name="memberships-TOTAL_FORMS"' in html  # the team inline
