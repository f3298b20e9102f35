"""Versioned privacy notice and consent texts (PRIVACY.md P3, P19): what a candidate saw is
what their application and consent record, whatever staff publish afterwards."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from ats.dates import add_months
from recruitment.access import Actor
from recruitment.careers import services as applying
from recruitment.models import (
    AccessEvent,
    Application,
    ConsentTextVersion,
    NoticeVersion,
    PortalToken,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import consent_text_in, talent_pool_consent_text, text_version
from recruitment.retention.services import consents
from recruitment.rights.services import portal_access
from tests.factories import MembershipFactory
from tests.harness.applying import apply, apply_as, form_data, nothing_stored
from tests.harness.rights import built, data_of, open_portal

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'name="(notice_version|consent_text_version)" value="(\d+)"')


def actor(user: Any) -> Actor:
    return Actor(user=user)


def detail_url(posting: Posting) -> str:
    return reverse("careers:posting_detail", kwargs={"slug": posting.slug})


def shown_versions(client: Client, posting: Posting, **headers: Any) -> dict[str, str]:
    """Opens the form as a candidate and returns the version numbers its hidden fields carry."""
    page = client.get(detail_url(posting), **headers).content.decode()
    return dict(HIDDEN.findall(page))


def in_language(code: str) -> dict[str, str]:
    """The header a browser set to `code` sends."""
    return {"Accept-Language": code}


# --- Version 1 and publishing --------------------------------------------------------------------


def test_version_1_of_each_is_created_from_the_configuration_when_none_exists(
    settings: Any,
) -> None:
    settings.TALENT_POOL_CONSENT_MONTHS = 9
    before = timezone.now()

    notice = privacy_texts.current_notice()
    consent_text = privacy_texts.current_consent_text()

    assert (notice.number, consent_text.number) == (1, 1)
    assert notice.published_by is None and consent_text.published_by is None
    assert before <= notice.effective_at <= timezone.now()
    assert notice.content["min_age"] == settings.APPLICANT_MIN_AGE
    assert notice.content["retention"]["consent_months"] == 9
    assert notice.content["authority"] == settings.SUPERVISORY_AUTHORITY
    assert consent_text.months == 9
    assert set(consent_text.texts) == {code for code, _ in settings.LANGUAGES}
    with translation.override("en"):
        assert consent_text.texts["en"] == talent_pool_consent_text(9)
    assert consent_text.sha256["en"] == text_version(consent_text.texts["en"])
    # Asking again finds them: still one of each.
    assert privacy_texts.current_notice() == notice
    assert privacy_texts.current_consent_text() == consent_text
    assert NoticeVersion.objects.count() == ConsentTextVersion.objects.count() == 1


def test_published_versions_are_numbered_in_sequence_and_audited(officer: Any) -> None:
    first = privacy_texts.publish_notice(
        by=actor(officer), effective_at=None, change_summary="New processor."
    )
    second = privacy_texts.publish_notice(
        by=actor(officer), effective_at=None, change_summary="New address."
    )
    consent_text = privacy_texts.publish_consent_text(
        by=actor(officer), effective_at=None, months=6
    )

    # Version 1 came first, from the configuration.
    assert [first.number, second.number] == [2, 3]
    assert list(NoticeVersion.objects.values_list("number", flat=True)) == [3, 2, 1]
    assert consent_text.number == 2 and consent_text.months == 6
    assert second.published_by == officer and second.change_summary == "New address."
    assert privacy_texts.current_notice() == second
    assert privacy_texts.current_consent_text() == consent_text
    assert list(
        AccessEvent.objects.filter(actor=officer).order_by("pk").values_list("action", flat=True)
    ) == ["publish_notice", "publish_notice", "publish_consent_text"]


def test_a_version_cannot_take_effect_in_the_past(officer: Any) -> None:
    now = timezone.now()
    privacy_texts.current_notice(now)

    with pytest.raises(privacy_texts.PublishRefused):
        privacy_texts.publish_notice(
            by=actor(officer), effective_at=now - timedelta(hours=1), change_summary="Late."
        )
    with pytest.raises(privacy_texts.PublishRefused):
        privacy_texts.publish_consent_text(
            by=actor(officer), effective_at=now - timedelta(days=1), months=12
        )

    assert NoticeVersion.objects.count() == 1
    assert ConsentTextVersion.objects.count() == 1
    assert not AccessEvent.objects.exists()
    # "Now" typed into a minute-precision input is a few seconds ago: it means at once.
    at_once = privacy_texts.publish_notice(
        by=actor(officer), effective_at=now - timedelta(seconds=30), change_summary="Now."
    )
    assert at_once.effective_at >= now
    assert privacy_texts.current_notice() == at_once


def test_a_consent_duration_beyond_the_maximum_is_refused(officer: Any, settings: Any) -> None:
    settings.TALENT_POOL_CONSENT_MAX_MONTHS = 24
    for months in (0, 25):
        with pytest.raises(privacy_texts.PublishRefused):
            privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=months)
    assert not ConsentTextVersion.objects.filter(number__gt=1).exists()


def test_a_future_version_is_not_current_until_its_time(officer: Any) -> None:
    now = timezone.now()
    first = privacy_texts.current_notice(now)
    later = now + timedelta(days=7)

    scheduled = privacy_texts.publish_notice(
        by=actor(officer), effective_at=later, change_summary="From next week.", now=now
    )

    assert privacy_texts.current_notice(now) == first
    assert privacy_texts.current_notice(later - timedelta(seconds=1)) == first
    assert privacy_texts.current_notice(later) == scheduled
    # Nothing may jump ahead of it: versions take effect in the order of their numbers.
    with pytest.raises(privacy_texts.PublishRefused):
        privacy_texts.publish_notice(
            by=actor(officer), effective_at=now + timedelta(days=1), change_summary="Sooner."
        )


# --- The application form records what it showed -------------------------------------------


def test_the_application_stores_the_notice_version_the_form_showed(
    client: Client, posting: Posting
) -> None:
    shown = shown_versions(client, posting)

    apply(client, posting, **shown)

    application = Application.objects.get()
    assert application.notice_version == privacy_texts.current_notice()
    assert shown["notice_version"] == str(application.notice_version.number)


def test_a_consent_stores_the_text_version_shown_its_months_and_language(
    client: Client, posting: Posting, settings: Any
) -> None:
    settings.TALENT_POOL_CONSENT_MONTHS = 18
    with translation.override("bs"):
        url = detail_url(posting)
    shown = dict(HIDDEN.findall(client.get(url, headers=in_language("bs")).content.decode()))

    response = client.post(
        url, form_data(talent_pool_consent="on", **shown), headers=in_language("bs")
    )

    assert response.status_code == 302
    consent = RetentionConsent.objects.get()
    version = privacy_texts.current_consent_text()
    assert version is not None
    assert consent.consent_text == version
    assert version.months == 18
    assert consent.language == "bs"
    assert consent.text_version == version.sha256["bs"] == text_version(version.texts["bs"])
    assert consent.expires_at == add_months(consent.given_at, 18)


def test_the_form_labels_the_consent_with_the_current_versions_text(
    client: Client, posting: Posting, officer: Any
) -> None:
    privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=3)

    page = client.get(detail_url(posting)).content.decode()

    assert "keep my application and CV for 3 months" in page
    assert dict(HIDDEN.findall(page)) == {"notice_version": "1", "consent_text_version": "2"}
    assert f"?version={privacy_texts.current_notice().number}" in page


def test_a_newer_version_published_meanwhile_does_not_change_what_is_recorded(
    client: Client, posting: Posting, officer: Any
) -> None:
    shown = shown_versions(client, posting)
    # Staff publish new versions while the candidate fills in the form.
    privacy_texts.publish_notice(by=actor(officer), effective_at=None, change_summary="New.")
    privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=24)

    apply(client, posting, talent_pool_consent="on", **shown)

    application = Application.objects.get()
    consent = RetentionConsent.objects.get()
    assert application.notice_version is not None and consent.consent_text is not None
    assert application.notice_version.number == 1
    assert consent.consent_text.number == 1
    assert consent.expires_at == add_months(consent.given_at, 12)
    assert consent.text_version == consent.consent_text.sha256["en"]


@pytest.mark.parametrize(
    "tampered",
    [
        {"notice_version": "99"},
        {"consent_text_version": "99"},
        {"notice_version": "abc"},
        {"consent_text_version": "-1"},
        {"notice_version": "0"},
    ],
)
def test_an_unknown_or_tampered_version_is_a_form_error_and_nothing_is_stored(
    client: Client, posting: Posting, tampered: dict[str, str]
) -> None:
    shown = shown_versions(client, posting)

    response = apply(client, posting, talent_pool_consent="on", **{**shown, **tampered})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The privacy information on this page is out of date or not valid." in page
    assert nothing_stored()
    assert not RetentionConsent.objects.exists()
    # The page shown again carries valid versions, so submitting it again works.
    assert dict(HIDDEN.findall(page)) == shown


def test_a_version_not_yet_in_effect_is_refused(
    client: Client, posting: Posting, officer: Any
) -> None:
    shown = shown_versions(client, posting)
    privacy_texts.publish_consent_text(
        by=actor(officer), effective_at=timezone.now() + timedelta(days=1), months=6
    )

    response = apply(
        client, posting, talent_pool_consent="on", **{**shown, "consent_text_version": "2"}
    )

    assert response.status_code == 400
    assert nothing_stored()


def test_a_form_without_versions_records_the_versions_in_effect(
    client: Client, posting: Posting
) -> None:
    """A page rendered before versions existed (or a client that does not send them)."""
    apply(client, posting, talent_pool_consent="on")

    application = Application.objects.get()
    consent = RetentionConsent.objects.get()
    assert application.notice_version == privacy_texts.current_notice()
    assert consent.consent_text == privacy_texts.current_consent_text()


def test_when_the_database_fails_the_form_still_says_nothing_was_saved(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = shown_versions(client, posting)

    def database_down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection lost")

    monkeypatch.setattr(applying, "_record_application", database_down)
    monkeypatch.setattr(privacy_texts, "current_notice", database_down)
    response = apply(client, posting, **shown)

    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not receive your application." in page


def version_reads(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and "version" in query["sql"]
    ]


def test_versioning_costs_two_queries_per_form_and_none_per_application_once_checked(
    client: Client, posting: Posting, django_assert_max_num_queries: Any
) -> None:
    shown = shown_versions(client, posting)  # creates version 1 of each
    # A process checks the numbers a form sent once, in one query...
    with CaptureQueriesContext(connection) as first:
        apply(client, posting, email="first@example.com", **shown)
    assert len(version_reads(first)) == 1, version_reads(first)

    # ...and never again: versions are append-only. Measured before versioning, the form
    # page took 1 query, an application 10 (one of them a duplicate check, now left to
    # the unique constraint), and 12 with a consent. Now an application is the posting's
    # lookup, then in one transaction the gate, the candidate's upsert and its key, and
    # one insert per row: 8, and 10 with a consent.
    with django_assert_max_num_queries(3):
        client.get(detail_url(posting))
    with CaptureQueriesContext(connection) as plain:
        apply(client, posting, email="plain@example.com", **shown)
    with CaptureQueriesContext(connection) as ticked:
        apply(client, posting, email="ticked@example.com", talent_pool_consent="on", **shown)
    for captured, count in ((plain, 8), (ticked, 10)):
        # The test's transaction makes the application's a savepoint; outside one (as in
        # production) it is BEGIN and COMMIT.
        statements = [
            query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]
        ]
        assert len(statements) == count, statements
        assert statements[0].startswith('SELECT "recruitment_posting"')
        assert statements[1].endswith("FOR NO KEY UPDATE")
    assert version_reads(plain) == version_reads(ticked) == []
    assert Application.objects.count() == 3


def test_a_checked_version_number_still_refers_to_the_same_version(
    client: Client, posting: Posting, officer: Any
) -> None:
    shown = shown_versions(client, posting)
    apply(client, posting, email="first@example.com", **shown)
    privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=24)

    # The form rendered before the publication still carries number 1: that is what the
    # candidate ticked, remembered or not.
    apply(client, posting, email="second@example.com", talent_pool_consent="on", **shown)
    consent = RetentionConsent.objects.get(candidate__email="second@example.com")
    assert consent.consent_text is not None
    assert (consent.consent_text.number, consent.consent_text.months) == (1, 12)


@pytest.mark.django_db(transaction=True)  # foreign keys are checked at the real commit
def test_a_remembered_version_whose_row_is_gone_keeps_nothing_and_is_forgotten(
    client: Client, posting: Posting
) -> None:
    shown = shown_versions(client, posting)
    assert apply(client, posting, email="first@example.com", **shown).status_code == 302
    # As after a restore from a backup older than the version: this process remembers a
    # row the database no longer has. (Nothing deletes versions otherwise.)
    privacy_texts._checked_notice_ids[int(shown["notice_version"])] = -1

    response = apply(client, posting, email="second@example.com", **shown)

    assert response.status_code == 503, "not saved, never 'you already applied'"
    assert "We could not receive your application." in response.content.decode()
    assert not Application.objects.filter(candidate__email="second@example.com").exists()
    # The autouse check also proves the CV object was deleted again. Forgotten, so the
    # candidate's retry is checked afresh and goes through.
    assert apply(client, posting, email="second@example.com", **shown).status_code == 302


# --- Consents given later ------------------------------------------------------------------


def test_a_new_consent_text_never_widens_existing_consents(
    client: Client, posting: Posting, officer: Any
) -> None:
    earlier = apply_as(posting, "Early Consenter", consent=True)
    old = RetentionConsent.objects.get(candidate=earlier.candidate)
    old_values = (old.consent_text_id, old.expires_at, old.text_version)

    new_version = privacy_texts.publish_consent_text(
        by=actor(officer), effective_at=None, months=24
    )
    later = apply_as(posting, "Late Consenter", consent=True)
    renewed = consents.give_consent(candidate=earlier.candidate, language="en", channel="portal")

    old.refresh_from_db()
    assert (old.consent_text_id, old.expires_at, old.text_version) == old_values
    assert old.consent_text is not None
    assert old.consent_text.months == 12
    for consent in (RetentionConsent.objects.get(candidate=later.candidate), renewed):
        assert consent.consent_text == new_version
        assert consent.expires_at == add_months(consent.given_at, 24)
        assert consent.text_version == new_version.sha256["en"]


def test_the_portal_shows_each_consents_own_text_and_renews_under_the_current_one(
    client: Client, posting: Posting, officer: Any
) -> None:
    applied = apply_as(posting, "Portal Consenter", consent=True)
    privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=6)
    open_portal(
        client,
        portal_access.issue_token(candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS),
    )

    page = client.get(reverse("privacy:portal")).content.decode()

    assert "keep my application and CV for 12 months" in page  # the consent given
    assert "keep my application and CV for 6 months" in page  # what renewing agrees to
    assert 'name="consent_text_version" value="2"' in page
    assert "Renew for 6 months from today" in page
    client.post(reverse("privacy:consent"), {"action": "give", "consent_text_version": "2"})
    renewed = RetentionConsent.objects.filter(candidate=applied.candidate).latest("given_at")
    assert renewed.consent_text is not None
    assert renewed.consent_text.number == 2
    assert renewed.channel == RetentionConsent.Channel.PORTAL


def test_the_portal_records_the_consent_text_it_showed_and_refuses_an_unknown_one(
    client: Client, posting: Posting, officer: Any
) -> None:
    applied = apply_as(posting, "Careful Consenter")
    open_portal(
        client,
        portal_access.issue_token(candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS),
    )
    client.get(reverse("privacy:portal"))  # shows version 1
    privacy_texts.publish_consent_text(by=actor(officer), effective_at=None, months=3)

    client.post(reverse("privacy:consent"), {"action": "give", "consent_text_version": "1"})
    response = client.post(
        reverse("privacy:consent"), {"action": "give", "consent_text_version": "7"}, follow=True
    )

    [consent] = RetentionConsent.objects.filter(candidate=applied.candidate)
    assert consent.consent_text is not None
    assert consent.consent_text.number == 1
    assert consent.expires_at == add_months(consent.given_at, 12)
    assert "The consent text has changed since this page was opened." in (response.content.decode())


def test_the_export_names_the_versions_and_the_consent_text(posting: Posting) -> None:
    applied = apply_as(posting, "Exported Consenter", consent=True)

    document = data_of(built(applied.candidate))

    [entry] = document["applications"]
    assert entry["notice_version"] == 1
    [consent] = document["consents"]
    assert consent["consent_text_version"] == 1
    assert consent["text"] == privacy_texts.current_consent_text().texts["en"]
    assert text_version(consent["text"]) == consent["text_version"]
    registration = document["controller"]["registration_numbers"]
    assert registration == [
        {"label": label, "value": value}
        for label, value in django_settings.CONTROLLER["registration"]
    ]


def test_a_language_added_after_publication_is_shown_a_published_text_never_a_fresh_one(
    client: Client, posting: Posting
) -> None:
    now = timezone.now()
    text = "Keep it for seven months."
    version = ConsentTextVersion.objects.create(
        number=1,
        effective_at=now,
        published_at=now,
        months=7,
        texts={"en": text},
        sha256={"en": text_version(text)},
    )

    # Croatian was offered after this version: its readers get the published English text.
    assert consent_text_in(version, "en") == consent_text_in(version, "hr") == text
    with translation.override("hr"):
        url = detail_url(posting)
        fresh = talent_pool_consent_text(7)
    page = client.get(url, headers=in_language("hr")).content.decode()
    assert text in page and fresh not in page
    # So a Croatian consent records the fingerprint of a text the version holds, and the
    # export shows that text.
    shown = dict(HIDDEN.findall(page))
    response = client.post(
        url, form_data(talent_pool_consent="on", **shown), headers=in_language("hr")
    )
    assert response.status_code == 302
    consent = RetentionConsent.objects.get()
    assert consent.language == "hr"
    assert consent.text_version == version.sha256["en"]
    assert privacy_texts.consent_text_of(consent) == text


# --- The public notice --------------------------------------------------------------------------


def test_the_notice_shows_the_published_snapshot_not_the_live_settings(
    client: Client, settings: Any, officer: Any
) -> None:
    settings.PROCESSORS = ["Hosting One d.o.o."]
    first = privacy_texts.current_notice()

    settings.PROCESSORS = ["Hosting Two d.o.o."]
    settings.APPLICANT_MIN_AGE = 18
    page = client.get(reverse("privacy:notice")).content.decode()

    assert "Hosting One d.o.o." in page and "Hosting Two d.o.o." not in page
    assert "at least 15 years old" in page
    assert f"Version {first.number}, effective" in page

    privacy_texts.publish_notice(by=actor(officer), effective_at=None, change_summary="Two.")
    page = client.get(reverse("privacy:notice")).content.decode()
    assert "Hosting Two d.o.o." in page and "Hosting One d.o.o." not in page
    assert "at least 18 years old" in page
    assert "Version 2, effective" in page
    # The earlier version stays readable, and says it is not the current one.
    earlier = client.get(reverse("privacy:notice") + "?version=1").content.decode()
    assert "Hosting One d.o.o." in earlier
    assert "This is an earlier version of the notice." in earlier


@pytest.mark.parametrize("code", ["en", "sr-latn"])
def test_the_notice_date_is_formatted_for_the_reader(client: Client, code: str) -> None:
    notice = privacy_texts.current_notice()
    with translation.override(code):
        url = reverse("privacy:notice")
        date = formats.date_format(timezone.localtime(notice.effective_at), "DATE_FORMAT")

    page = client.get(url, headers=in_language(code)).content.decode()

    assert date in page


def test_a_scheduled_notice_is_shown_to_privacy_officers_only(client: Client, officer: Any) -> None:
    privacy_texts.publish_notice(
        by=actor(officer),
        effective_at=timezone.now() + timedelta(days=3),
        change_summary="Soon.",
    )
    url = reverse("privacy:notice") + "?version=2"

    assert client.get(url).status_code == 404
    assert "?version=2" not in client.get(reverse("privacy:notice")).content.decode()
    assert client.get(reverse("privacy:notice") + "?version=x").status_code == 404
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert "This version is scheduled" in response.content.decode()


@pytest.mark.parametrize("code", [code for code, _ in django_settings.LANGUAGES])
def test_the_notice_renders_in_every_language(client: Client, code: str) -> None:
    with translation.override(code):
        url = reverse("privacy:notice")
        privacy_texts.current_notice()
        earlier = privacy_texts.current_notice().number

    response = client.get(f"{url}?version={earlier}", headers=in_language(code))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{code}"' in html
    assert django_settings.SUPERVISORY_AUTHORITY["name"] in html


# --- Staff publish the versions -------------------------------------------------------------


def test_a_privacy_officer_publishes_both_from_the_staff_page(
    officer_client: Client, officer: Any
) -> None:
    page = officer_client.get(reverse("staff:privacy_texts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "keep my application and CV for 12 months" in html  # the preview
    assert "current" in html

    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    notice = officer_client.post(
        reverse("staff:privacy_notice_publish"),
        {"notice-effective_at": later, "notice-change_summary": "New processor."},
    )
    consent = officer_client.post(
        reverse("staff:privacy_consent_publish"),
        {"consent-effective_at": "", "consent-months": "6"},
    )

    assert notice.status_code == consent.status_code == 302
    scheduled = NoticeVersion.objects.get(number=2)
    assert scheduled.published_by == officer and scheduled.effective_at > timezone.now()
    assert privacy_texts.current_consent_text().months == 6
    html = officer_client.get(reverse("staff:privacy_texts")).content.decode()
    assert "scheduled" in html and "New processor." in html


def test_invalid_input_on_the_staff_page_writes_nothing(officer_client: Client) -> None:
    privacy_texts.current_notice()
    past = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    responses = [
        officer_client.post(
            reverse("staff:privacy_notice_publish"),
            {"notice-effective_at": past, "notice-change_summary": "Back-dated."},
        ),
        officer_client.post(
            reverse("staff:privacy_notice_publish"),
            {"notice-effective_at": "", "notice-change_summary": ""},
        ),
        officer_client.post(reverse("staff:privacy_consent_publish"), {"consent-months": "99"}),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400]
    assert "cannot take effect in the past" in responses[0].content.decode()
    assert NoticeVersion.objects.count() == ConsentTextVersion.objects.count() == 1


def test_the_staff_page_says_when_the_configuration_outgrew_the_notice(
    officer_client: Client, settings: Any
) -> None:
    privacy_texts.current_notice()
    page = officer_client.get(reverse("staff:privacy_texts")).content.decode()
    assert "The configuration or the wording of the notice" not in page

    assert "The configured consent duration or the wording" not in page

    settings.PROCESSORS = ["New Hosting d.o.o."]
    settings.TALENT_POOL_CONSENT_MONTHS = 6

    page = officer_client.get(reverse("staff:privacy_texts")).content.decode()
    assert "the wording of the notice in some language has changed since version 1" in page
    assert "The configured consent duration or the wording" in page
    # Candidates still see version 1 of both until a privacy officer publishes.
    assert privacy_texts.current_consent_text().months == 12


def test_recruiters_cannot_reach_or_publish_privacy_texts(client: Client, posting: Posting) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    client.force_login(recruiter)

    assert client.get(reverse("staff:privacy_texts")).status_code == 404
    response = client.post(
        reverse("staff:privacy_notice_publish"),
        {"notice-effective_at": "", "notice-change_summary": "Sneaky."},
    )
    assert response.status_code == 404
    assert not NoticeVersion.objects.filter(number__gt=1).exists()


def test_publish_requires_post(officer_client: Client) -> None:
    assert officer_client.get(reverse("staff:privacy_notice_publish")).status_code == 405
    assert officer_client.get(reverse("staff:privacy_consent_publish")).status_code == 405
