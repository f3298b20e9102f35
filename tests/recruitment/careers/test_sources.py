"""Where applications come from: the allow-list of sources, and the public form reading a
posting link's `?source=`/`utm_source=` (checked again on POST: the hidden field is the
visitor's to forge)."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitment.careers import selectors
from recruitment.models import CAREERS_SITE, Application, Posting, Source, TeamMembership
from tests.conftest import BUILTIN_SOURCES
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def linkedin() -> Source:
    return Source.objects.create(slug="linkedin", name="LinkedIn", kind=Source.Kind.PLATFORM)


@pytest.fixture
def retired() -> Source:
    return Source.objects.create(
        slug="old-board", name="Old board", kind=Source.Kind.PLATFORM, active=False
    )


def hidden_source(page: str) -> str:
    match = re.search(r'<input type="hidden" name="source" value="([^"]*)"', page)
    assert match is not None, "the form carries the source in a hidden field"
    return match.group(1)


def posting_page(client: Client, posting: Posting, query: str = "") -> str:
    url = reverse("careers:posting_detail", kwargs={"slug": posting.slug}) + query
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- The allow-list -----------------------------------------------------------------------------


def test_the_migration_seeds_the_built_in_sources_the_test_fixture_restores() -> None:
    seeded = {(s.slug, s.name, s.kind) for s in Source.objects.filter(builtin=True)}
    assert seeded == set(BUILTIN_SOURCES)
    assert Source.objects.get(slug=CAREERS_SITE).kind == Source.Kind.CAREERS_SITE


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", CAREERS_SITE),
        ("?source=linkedin", "linkedin"),
        ("?utm_source=linkedin", "linkedin"),
        ("?source=LinkedIn", "linkedin"),
        ("?source=linkedin&utm_source=referral", "linkedin"),
        ("?source=referral", "referral"),
        ("?source=unknown-board", CAREERS_SITE),
        ("?source=old-board", CAREERS_SITE),  # inactive
        ("?utm_source=ana%40example.com", CAREERS_SITE),
        ("?source=" + "x" * 300, CAREERS_SITE),
        ("?source=%3Cscript%3E", CAREERS_SITE),
        ("?source=%00", CAREERS_SITE),
        ("?utm_source=linked%00in", CAREERS_SITE),
    ],
)
def test_a_posting_link_names_an_active_allow_listed_source_or_it_is_the_careers_site(
    client: Client, posting: Posting, linkedin: Source, retired: Source, query: str, expected: str
) -> None:
    assert hidden_source(posting_page(client, posting, query)) == expected


@settings(max_examples=60, deadline=None)
@given(raw=st.text(max_size=80))
def test_only_an_active_slug_of_the_list_is_ever_tracked(raw: str) -> None:
    # Property: whatever a link carries, the source is an active slug of the list.
    tracked = selectors.tracked_source(raw)
    assert Source.objects.filter(slug=tracked, active=True).exists()
    assert tracked == CAREERS_SITE or tracked == raw.strip().lower()


def test_the_source_of_the_link_is_stored_with_the_application(
    client: Client, posting: Posting, linkedin: Source
) -> None:
    source = hidden_source(posting_page(client, posting, "?utm_source=linkedin"))

    response = apply(client, posting, source=source)

    assert response.status_code == 302
    assert Application.objects.get().source_id == "linkedin"


@pytest.mark.parametrize("forged", ["unknown-board", "old-board", "ana@example.com", "x" * 200])
def test_a_forged_or_inactive_source_on_post_is_the_careers_site(
    client: Client, posting: Posting, retired: Source, forged: str
) -> None:
    response = apply(client, posting, source=forged)

    assert response.status_code == 302
    assert Application.objects.get().source_id == CAREERS_SITE


def test_a_source_deactivated_between_the_page_and_the_post_is_not_counted(
    client: Client, posting: Posting, linkedin: Source
) -> None:
    source = hidden_source(posting_page(client, posting, "?source=linkedin"))
    Source.objects.filter(pk=linkedin.pk).update(active=False)

    apply(client, posting, source=source)

    assert Application.objects.get().source_id == CAREERS_SITE


def test_an_application_without_a_source_field_is_from_the_careers_site(
    client: Client, posting: Posting
) -> None:
    apply(client, posting)
    assert Application.objects.get().source_id == CAREERS_SITE


# --- The staff page ------------------------------------------------------------------------------


@pytest.fixture
def group_recruiter(posting: Posting) -> Any:
    user = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    user.groups.add(Group.objects.get(name="Recruiters"))
    return user


def test_a_recruiter_adds_renames_and_deactivates_a_source(
    client: Client, group_recruiter: Any, posting: Posting
) -> None:
    client.force_login(group_recruiter)

    response = client.post(
        reverse("staff:sources"), {"slug": "LinkedIn", "name": "Linked In", "kind": "platform"}
    )
    assert response.status_code == 302
    source = Source.objects.get(slug="linkedin")
    assert (source.name, source.kind, source.active, source.builtin) == (
        "Linked In",
        "platform",
        True,
        False,
    )
    page = client.get(reverse("staff:sources")).content.decode()
    assert "Recruitment platform: Linked In" in page
    assert "a referral record only that it was a referral" in page

    edit = reverse("staff:source_edit", kwargs={"slug": "linkedin"})
    response = client.post(edit, {"name": "LinkedIn", "kind": "platform", "active": "on"})
    assert response.status_code == 302
    assert Source.objects.get(slug="linkedin").name == "LinkedIn"
    assert hidden_source(posting_page(Client(), posting, "?source=linkedin")) == "linkedin"

    response = client.post(edit, {"name": "LinkedIn", "kind": "platform"})  # unticked
    assert response.status_code == 302
    assert not Source.objects.get(slug="linkedin").active
    assert hidden_source(posting_page(Client(), posting, "?source=linkedin")) == CAREERS_SITE


def test_a_taken_slug_is_refused_and_nothing_changes(
    client: Client, group_recruiter: Any, retired: Source
) -> None:
    client.force_login(group_recruiter)

    response = client.post(
        reverse("staff:sources"), {"slug": "old-board", "name": "New", "kind": "other"}
    )

    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert Source.objects.get(slug="old-board").name == "Old board"


def test_the_careers_site_stays_active_and_built_in_names_do_not_change(
    client: Client, group_recruiter: Any
) -> None:
    client.force_login(group_recruiter)
    careers = reverse("staff:source_edit", kwargs={"slug": CAREERS_SITE})
    email = reverse("staff:source_edit", kwargs={"slug": "email"})

    # Disabled fields keep their values, whatever is posted.
    client.post(careers, {"name": "Hacked", "kind": "other"})
    client.post(email, {"name": "Hacked", "kind": "other"})

    careers_site = Source.objects.get(slug=CAREERS_SITE)
    assert (careers_site.name, careers_site.kind, careers_site.active) == (
        "Careers site",
        "careers_site",
        True,
    )
    email_source = Source.objects.get(slug="email")
    assert (email_source.name, email_source.kind, email_source.active) == (
        "Email",
        "email",
        False,
    )


def test_no_second_careers_site_can_be_added(client: Client, group_recruiter: Any) -> None:
    client.force_login(group_recruiter)
    response = client.post(
        reverse("staff:sources"), {"slug": "site2", "name": "Site", "kind": "careers_site"}
    )
    assert response.status_code == 400
    assert not Source.objects.filter(slug="site2").exists()


@pytest.mark.parametrize("role", ["hiring_manager", "interviewer"])
def test_team_members_outside_the_recruiters_group_cannot_change_sources(
    client: Client, posting: Posting, role: str
) -> None:
    user = MembershipFactory.create(posting=posting, role=role).user
    client.force_login(user)

    response = client.post(reverse("staff:sources"), {"slug": "x", "name": "X", "kind": "other"})

    assert response.status_code == 404
    assert not Source.objects.filter(slug="x").exists()
    assert "/staff/sources/" not in client.get(reverse("staff:home")).content.decode()


def test_admins_see_the_sources_link(client: Client) -> None:
    client.force_login(UserFactory.create(is_superuser=True))
    assert reverse("staff:sources") in client.get(reverse("staff:home")).content.decode()
