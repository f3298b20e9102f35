"""Jurisdiction profiles (ats/jurisdictions.py): Serbia and Bosnia and Herzegovina.

Settings are resolved once, at import, so `resolve` is tested directly as the pure function
of the environment it is; pages are tested with the settings a profile resolves to.
"""

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from ats import jurisdictions
from recruitment.models import PortalToken, Posting
from recruitment.rights.services import portal_access
from tests.harness.applying import apply_as
from tests.harness.rights import open_portal

ROOT = Path(__file__).resolve().parents[2]

BIH_AUTHORITY = "Agencija za zaštitu ličnih podataka u Bosni i Hercegovini"
BIH_AUTHORITY_ADDRESS = "Vilsonovo šetalište 10, 71000 Sarajevo"
RS_AUTHORITY = "Poverenik za informacije od javnog značaja i zaštitu podataka o ličnosti"
RS_AUTHORITY_ADDRESS = "Bulevar kralja Aleksandra 15, 11000 Beograd"


# --- Resolving the configuration ----------------------------------------------------------------


def test_without_a_jurisdiction_the_serbian_profile_applies() -> None:
    resolved = jurisdictions.resolve({})

    assert resolved.code == "rs"
    assert resolved.authority.name == RS_AUTHORITY
    assert resolved.authority.address == RS_AUTHORITY_ADDRESS
    assert resolved.authority.url == "https://www.poverenik.rs"
    assert resolved.law.name == "Zakon o zaštiti podataka o ličnosti"
    assert resolved.law.gazette == "Službeni glasnik RS 87/2018"
    assert (resolved.request_deadline_days, resolved.request_extension_days) == (30, 60)
    assert resolved.applicant_min_age == 15
    assert (resolved.talent_pool_consent_months, resolved.talent_pool_consent_max_months) == (
        12,
        24,
    )
    assert resolved.consent_renewal_notice_days == 30
    assert resolved.time_zone == "Europe/Belgrade"
    assert resolved.controller.address == "Bulevar oslobođenja 1, 11000 Beograd"
    assert resolved.controller.registration == (("Matični broj", "12345678"), ("PIB", "100000000"))


def test_the_bosnian_profile_has_its_authority_law_age_and_zone() -> None:
    resolved = jurisdictions.resolve({"ATS_JURISDICTION": "ba"})

    assert resolved.code == "ba"
    # The full official name; nothing relies on the short form "u BiH".
    assert resolved.authority.name == BIH_AUTHORITY
    assert "u BiH" not in resolved.authority.name
    assert resolved.authority.address == BIH_AUTHORITY_ADDRESS
    assert resolved.authority.url == "https://www.azlp.ba"
    assert resolved.law.name == "Zakon o zaštiti ličnih podataka"
    assert resolved.law.gazette == "Službeni glasnik BiH 12/25"
    assert (resolved.request_deadline_days, resolved.request_extension_days) == (30, 60)
    assert resolved.applicant_min_age == 16
    assert resolved.time_zone == "Europe/Sarajevo"
    assert resolved.controller.address == "Kralja Tvrtka 1, 88000 Mostar"
    assert resolved.controller.registration == (("JIB", "4200000000000"),)


def test_environment_variables_override_the_profile() -> None:
    resolved = jurisdictions.resolve(
        {
            "ATS_JURISDICTION": "BA",
            "ATS_APPLICANT_MIN_AGE": "18",
            "ATS_PRIVACY_REQUEST_DEADLINE_DAYS": "20",
            "ATS_PRIVACY_REQUEST_EXTENSION_DAYS": "30",
            "ATS_TALENT_POOL_CONSENT_MONTHS": "6",
            "ATS_TALENT_POOL_CONSENT_MAX_MONTHS": "12",
            "ATS_CONSENT_RENEWAL_NOTICE_DAYS": "14",
            "ATS_CONTROLLER_NAME": "allOps d.o.o.",
            "ATS_CONTROLLER_ADDRESS": "Mostar",
            "ATS_CONTROLLER_REGISTRATION": "JIB=4227000000000; PDV broj = 227000000000",
            "ATS_CONTROLLER_PRIVACY_EMAIL": "privacy@allops.example",
            "ATS_AUTHORITY_NAME": "Agencija",
            "ATS_AUTHORITY_ADDRESS": "Sarajevo",
            "ATS_AUTHORITY_URL": "https://example.ba",
            "TIME_ZONE": "UTC",
        }
    )

    assert resolved.code == "ba"
    assert resolved.applicant_min_age == 18
    assert (resolved.request_deadline_days, resolved.request_extension_days) == (20, 30)
    assert (resolved.talent_pool_consent_months, resolved.talent_pool_consent_max_months) == (6, 12)
    assert resolved.consent_renewal_notice_days == 14
    assert resolved.controller == jurisdictions.Controller(
        name="allOps d.o.o.",
        address="Mostar",
        registration=(("JIB", "4227000000000"), ("PDV broj", "227000000000")),
        privacy_email="privacy@allops.example",
    )
    assert resolved.authority == jurisdictions.Authority(
        "Agencija", "Sarajevo", "https://example.ba"
    )
    assert resolved.time_zone == "UTC"
    # The law is the jurisdiction's, whatever else is overridden.
    assert resolved.law.gazette == "Službeni glasnik BiH 12/25"


def test_empty_variables_count_as_unset() -> None:
    empty = dict.fromkeys(jurisdictions.ENV_NAMES, "")
    assert jurisdictions.resolve(empty) == jurisdictions.resolve({})


def test_a_registration_without_labels_is_kept_as_given() -> None:
    """The variable held free text before it had labels; such a value still works."""
    resolved = jurisdictions.resolve({"ATS_CONTROLLER_REGISTRATION": "MB 12345678, PIB 100000000"})
    assert resolved.controller.registration == (("", "MB 12345678, PIB 100000000"),)


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"ATS_JURISDICTION": "hr"}, "ATS_JURISDICTION"),
        ({"ATS_PRIVACY_REQUEST_DEADLINE_DAYS": "31"}, "ATS_PRIVACY_REQUEST_DEADLINE_DAYS"),
        ({"ATS_PRIVACY_REQUEST_DEADLINE_DAYS": "0"}, "ATS_PRIVACY_REQUEST_DEADLINE_DAYS"),
        ({"ATS_PRIVACY_REQUEST_EXTENSION_DAYS": "61"}, "ATS_PRIVACY_REQUEST_EXTENSION_DAYS"),
        ({"ATS_TALENT_POOL_CONSENT_MONTHS": "0"}, "ATS_TALENT_POOL_CONSENT_MONTHS"),
        ({"ATS_TALENT_POOL_CONSENT_MONTHS": "25"}, "ATS_TALENT_POOL_CONSENT_MONTHS"),
        (
            {"ATS_TALENT_POOL_CONSENT_MONTHS": "13", "ATS_TALENT_POOL_CONSENT_MAX_MONTHS": "12"},
            "ATS_TALENT_POOL_CONSENT_MONTHS",
        ),
        ({"ATS_TALENT_POOL_CONSENT_MAX_MONTHS": "0"}, "ATS_TALENT_POOL_CONSENT_MAX_MONTHS"),
        # Serbia: the law's (and KeyOPS policy's) minimum is 15.
        ({"ATS_APPLICANT_MIN_AGE": "14"}, "ATS_APPLICANT_MIN_AGE"),
        ({"ATS_APPLICANT_MIN_AGE": "fifteen"}, "ATS_APPLICANT_MIN_AGE"),
        ({"ATS_CONSENT_RENEWAL_NOTICE_DAYS": "0"}, "ATS_CONSENT_RENEWAL_NOTICE_DAYS"),
    ],
)
def test_settings_outside_the_law_refuse_to_start(environ: dict[str, str], complaint: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=complaint):
        jurisdictions.resolve(environ)


def test_bosnia_has_no_statutory_floor_for_the_minimum_age_yet() -> None:
    assert jurisdictions.resolve({"ATS_JURISDICTION": "ba", "ATS_APPLICANT_MIN_AGE": "14"})
    with pytest.raises(ImproperlyConfigured):
        jurisdictions.resolve({"ATS_JURISDICTION": "ba", "ATS_APPLICANT_MIN_AGE": "0"})


def test_the_settings_are_the_profile_resolved_from_the_environment() -> None:
    for name, value in jurisdictions.resolve(os.environ).as_settings().items():
        assert getattr(django_settings, name) == value, name


def test_every_variable_a_profile_reads_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(jurisdictions.ENV_NAMES) - documented == set()


# --- What candidates see -----------------------------------------------------------------------


def use_profile(settings: Any, environ: dict[str, str]) -> jurisdictions.Profile:
    profile = jurisdictions.resolve(environ)
    for name, value in profile.as_settings().items():
        setattr(settings, name, value)
    return profile


PROFILES = {
    "ba": ({"ATS_JURISDICTION": "ba"}, BIH_AUTHORITY, BIH_AUTHORITY_ADDRESS, 16, "JIB"),
    "rs": ({"ATS_JURISDICTION": "rs"}, RS_AUTHORITY, RS_AUTHORITY_ADDRESS, 15, "Matični broj"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PROFILES))
def test_the_notice_shows_the_jurisdictions_authority_deadlines_and_minimum_age(
    client: Client, settings: Any, code: str
) -> None:
    environ, authority, address, min_age, label = PROFILES[code]
    profile = use_profile(settings, environ)

    html = client.get(reverse("privacy:notice")).content.decode()

    assert f"{authority}, {address}" in html
    assert profile.authority.url in html
    assert "We answer within 30 days." in html
    assert "up to 60 days" in html
    assert f"You must be at least {min_age} years old to apply." in html
    assert profile.law.name in html and profile.law.gazette in html
    assert profile.controller.address in html
    assert f"{label}: {profile.controller.registration[0][1]}" in html


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PROFILES))
def test_the_application_form_asks_for_the_jurisdictions_minimum_age(
    client: Client, settings: Any, posting: Posting, code: str
) -> None:
    environ, _authority, _address, min_age, label = PROFILES[code]
    profile = use_profile(settings, environ)

    html = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug})).content
    page = html.decode()

    assert f"I am at least {min_age} years old." in page
    # The controller's identity, registration numbers included, on the form and the footer.
    assert page.count(f"{label}: {profile.controller.registration[0][1]}") == 2
    assert page.count(profile.controller.address) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PROFILES))
def test_the_portal_names_the_jurisdictions_authority_and_deadlines(
    client: Client, settings: Any, posting: Posting, code: str
) -> None:
    environ, authority, address, _min_age, label = PROFILES[code]
    profile = use_profile(settings, environ)
    applied = apply_as(posting, f"Portal Person {code}")
    open_portal(
        client,
        portal_access.issue_token(candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS),
    )

    page = client.get(reverse("privacy:portal")).content.decode()

    assert f"{authority}, {address}" in page
    assert f'href="{profile.authority.url}"' in page
    assert "We answer within 30 days." in page
    assert "up to 60 days" in page
    assert f"{label}: {profile.controller.registration[0][1]}" in page


@pytest.mark.django_db
def test_emails_carry_the_controllers_registration_numbers(settings: Any, posting: Posting) -> None:
    from notifications.models import OutboundEmail

    profile = use_profile(settings, {"ATS_JURISDICTION": "rs"})
    applied = apply_as(posting, "Email Person")

    email = OutboundEmail.objects.get(subject_ref=applied.pk)
    for text in (email.body_text, email.body_html):
        assert "Matični broj: 12345678" in text
        assert "PIB: 100000000" in text
        assert profile.controller.address in text
        assert profile.controller.privacy_email in text
