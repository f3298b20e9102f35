"""Jurisdiction profiles: the legal defaults of each country the ATS is set up for.

`ATS_JURISDICTION` names the profile (`rs`, the default, or `ba`). Every value of the profile
is a default: the environment variables that existed before profiles did (`ATS_APPLICANT_MIN_AGE`,
`ATS_CONTROLLER_NAME`, `ATS_AUTHORITY_URL`, `TIME_ZONE`...) still override it, and an empty
variable counts as unset (`.env.example` lists them empty). `resolve` is a pure function of
an environment mapping, so tests check it directly; `ats/settings.py` calls it once with
`os.environ` and copies the result into the settings the rest of the code reads.

The controller of each profile is a fictitious demo company: a deployment sets its own through
`ATS_CONTROLLER_*`. Registration numbers are (label, value) pairs, labelled as the country's
registers label them; `ATS_CONTROLLER_REGISTRATION` takes them as "Label=value;Label=value".
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_noop

DEFAULT_JURISDICTION = "rs"
# Both laws follow GDPR art. 12(3) (ZZPL čl. 21): an answer within 30 days, extendable by at
# most 60 more. A configuration may be stricter, never looser.
MAX_REQUEST_DEADLINE_DAYS = 30
MAX_REQUEST_EXTENSION_DAYS = 60

Registration = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Law:
    name: str
    gazette: str


@dataclass(frozen=True)
class Authority:
    """The supervisory authority a candidate may complain to."""

    name: str
    address: str
    url: str


@dataclass(frozen=True)
class Controller:
    """Who is responsible for the candidates' data, as every candidate-facing page shows it."""

    name: str
    address: str
    registration: Registration
    privacy_email: str


@dataclass(frozen=True)
class Profile:
    """One jurisdiction's values; after `resolve`, the values in force."""

    code: str
    law: Law
    authority: Authority
    controller: Controller
    time_zone: str
    applicant_min_age: int
    # The age below which the law forbids processing an applicant's data without a parent,
    # where the law or the policy fixes one; a configured minimum may not go below it.
    legal_min_age: int | None
    request_deadline_days: int = 30
    request_extension_days: int = 60
    talent_pool_consent_months: int = 12
    talent_pool_consent_max_months: int = 24
    consent_renewal_notice_days: int = 30

    def as_settings(self) -> dict[str, Any]:
        """The Django settings this profile fills, by name (ats/settings.py sets each)."""
        return {
            "JURISDICTION": self.code,
            "APPLICABLE_LAW": {"name": self.law.name, "gazette": self.law.gazette},
            "PRIVACY_REQUEST_DEADLINE_DAYS": self.request_deadline_days,
            "PRIVACY_REQUEST_EXTENSION_DAYS": self.request_extension_days,
            "APPLICANT_MIN_AGE": self.applicant_min_age,
            "TALENT_POOL_CONSENT_MONTHS": self.talent_pool_consent_months,
            "TALENT_POOL_CONSENT_MAX_MONTHS": self.talent_pool_consent_max_months,
            "CONSENT_RENEWAL_NOTICE_DAYS": self.consent_renewal_notice_days,
            "CONTROLLER": {
                "name": self.controller.name,
                "address": self.controller.address,
                "registration": list(self.controller.registration),
                "privacy_email": self.controller.privacy_email,
            },
            "SUPERVISORY_AUTHORITY": {
                "name": self.authority.name,
                "address": self.authority.address,
                "url": self.authority.url,
            },
            "TIME_ZONE": self.time_zone,
        }


# Registration labels are the registers' own designations. Marked for the catalogues so the
# Cyrillic locale can spell them in its script; a label set through the environment is shown
# as given.
JIB = gettext_noop("JIB")
MATICNI_BROJ = gettext_noop("Matični broj")
PIB = gettext_noop("PIB")

PROFILES: dict[str, Profile] = {
    "ba": Profile(
        code="ba",
        law=Law(name="Zakon o zaštiti ličnih podataka", gazette="Službeni glasnik BiH 12/25"),
        authority=Authority(
            # The full official name; "Agencija za zaštitu ličnih podataka u BiH" is its
            # short form, and nothing here relies on it.
            name="Agencija za zaštitu ličnih podataka u Bosni i Hercegovini",
            address="Vilsonovo šetalište 10, 71000 Sarajevo",
            url="https://www.azlp.ba",
        ),
        controller=Controller(
            name="Example Employer d.o.o.",
            address="Kralja Tvrtka 1, 88000 Mostar",
            # Companies registered in the Republika Srpska show an "ID broj" instead; set
            # ATS_CONTROLLER_REGISTRATION="ID broj=..." for one.
            registration=((JIB, "4200000000000"),),
            privacy_email="privacy@example.com",
        ),
        time_zone="Europe/Sarajevo",
        # Not yet confirmed for the BiH law (Službeni glasnik BiH 12/25): 16, the GDPR's
        # default age of digital consent, until counsel confirms the threshold. Configurable
        # (ATS_APPLICANT_MIN_AGE), with no statutory floor enforced meanwhile.
        applicant_min_age=16,
        legal_min_age=None,
    ),
    "rs": Profile(
        code="rs",
        law=Law(name="Zakon o zaštiti podataka o ličnosti", gazette="Službeni glasnik RS 87/2018"),
        authority=Authority(
            name="Poverenik za informacije od javnog značaja i zaštitu podataka o ličnosti",
            address="Bulevar kralja Aleksandra 15, 11000 Beograd",
            url="https://www.poverenik.rs",
        ),
        controller=Controller(
            name="Example Employer d.o.o.",
            address="Bulevar oslobođenja 1, 11000 Beograd",
            registration=((MATICNI_BROJ, "12345678"), (PIB, "100000000")),
            privacy_email="privacy@example.com",
        ),
        time_zone="Europe/Belgrade",
        # ZZPL čl. 16 and the KeyOPS policy (§1, §4): data of anyone under 15 is erased.
        applicant_min_age=15,
        legal_min_age=15,
    ),
}

# Every environment variable `resolve` reads (tests check each is in .env.example).
ENV_NAMES = (
    "ATS_JURISDICTION",
    "ATS_PRIVACY_REQUEST_DEADLINE_DAYS",
    "ATS_PRIVACY_REQUEST_EXTENSION_DAYS",
    "ATS_APPLICANT_MIN_AGE",
    "ATS_TALENT_POOL_CONSENT_MONTHS",
    "ATS_TALENT_POOL_CONSENT_MAX_MONTHS",
    "ATS_CONSENT_RENEWAL_NOTICE_DAYS",
    "ATS_CONTROLLER_NAME",
    "ATS_CONTROLLER_ADDRESS",
    "ATS_CONTROLLER_REGISTRATION",
    "ATS_CONTROLLER_PRIVACY_EMAIL",
    "ATS_AUTHORITY_NAME",
    "ATS_AUTHORITY_ADDRESS",
    "ATS_AUTHORITY_URL",
    "TIME_ZONE",
)


def resolve(environ: Mapping[str, str]) -> Profile:
    """The profile named by ATS_JURISDICTION with the environment's overrides applied,
    validated. Raises ImproperlyConfigured for an unknown jurisdiction, a value that is not
    a number, or a value outside what the law (or the profile) allows."""
    code = _text(environ, "ATS_JURISDICTION", DEFAULT_JURISDICTION).lower()
    if code not in PROFILES:
        raise ImproperlyConfigured(
            f"ATS_JURISDICTION must be one of {', '.join(sorted(PROFILES))}, not {code!r}."
        )
    profile = PROFILES[code]
    controller = profile.controller
    authority = profile.authority
    registration = environ.get("ATS_CONTROLLER_REGISTRATION", "").strip()
    resolved = replace(
        profile,
        request_deadline_days=_number(
            environ, "ATS_PRIVACY_REQUEST_DEADLINE_DAYS", profile.request_deadline_days
        ),
        request_extension_days=_number(
            environ, "ATS_PRIVACY_REQUEST_EXTENSION_DAYS", profile.request_extension_days
        ),
        applicant_min_age=_number(environ, "ATS_APPLICANT_MIN_AGE", profile.applicant_min_age),
        talent_pool_consent_months=_number(
            environ, "ATS_TALENT_POOL_CONSENT_MONTHS", profile.talent_pool_consent_months
        ),
        talent_pool_consent_max_months=_number(
            environ, "ATS_TALENT_POOL_CONSENT_MAX_MONTHS", profile.talent_pool_consent_max_months
        ),
        consent_renewal_notice_days=_number(
            environ, "ATS_CONSENT_RENEWAL_NOTICE_DAYS", profile.consent_renewal_notice_days
        ),
        controller=Controller(
            name=_text(environ, "ATS_CONTROLLER_NAME", controller.name),
            address=_text(environ, "ATS_CONTROLLER_ADDRESS", controller.address),
            registration=parse_registration(registration)
            if registration
            else controller.registration,
            privacy_email=_text(environ, "ATS_CONTROLLER_PRIVACY_EMAIL", controller.privacy_email),
        ),
        authority=Authority(
            name=_text(environ, "ATS_AUTHORITY_NAME", authority.name),
            address=_text(environ, "ATS_AUTHORITY_ADDRESS", authority.address),
            url=_text(environ, "ATS_AUTHORITY_URL", authority.url),
        ),
        time_zone=_text(environ, "TIME_ZONE", profile.time_zone),
    )
    _validate(resolved)
    return resolved


def parse_registration(raw: str) -> Registration:
    """ "Label=value;Label=value" as pairs. An entry without "=" (the free text this variable
    held before it had labels, e.g. "MB 12345678") is kept whole, as a value without a label."""
    pairs = []
    for entry in raw.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        label, equals, value = entry.partition("=")
        pairs.append((label.strip(), value.strip()) if equals else ("", entry))
    return tuple(pairs)


def _text(environ: Mapping[str, str], name: str, default: str) -> str:
    return environ.get(name, "").strip() or default


def _number(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def _validate(profile: Profile) -> None:
    if not 1 <= profile.request_deadline_days <= MAX_REQUEST_DEADLINE_DAYS:
        raise ImproperlyConfigured(
            f"ATS_PRIVACY_REQUEST_DEADLINE_DAYS must be between 1 and "
            f"{MAX_REQUEST_DEADLINE_DAYS}: the law allows no longer first answer."
        )
    if not 0 <= profile.request_extension_days <= MAX_REQUEST_EXTENSION_DAYS:
        raise ImproperlyConfigured(
            f"ATS_PRIVACY_REQUEST_EXTENSION_DAYS must be between 0 and "
            f"{MAX_REQUEST_EXTENSION_DAYS}: the law allows no longer extension."
        )
    if profile.talent_pool_consent_max_months < 1:
        raise ImproperlyConfigured("ATS_TALENT_POOL_CONSENT_MAX_MONTHS must be at least 1.")
    if not 1 <= profile.talent_pool_consent_months <= profile.talent_pool_consent_max_months:
        raise ImproperlyConfigured(
            "ATS_TALENT_POOL_CONSENT_MONTHS must be between 1 and "
            "ATS_TALENT_POOL_CONSENT_MAX_MONTHS."
        )
    if profile.consent_renewal_notice_days < 1:
        raise ImproperlyConfigured("ATS_CONSENT_RENEWAL_NOTICE_DAYS must be at least 1.")
    floor = profile.legal_min_age or 1
    if profile.applicant_min_age < floor:
        raise ImproperlyConfigured(
            f"ATS_APPLICANT_MIN_AGE must be at least {floor} in jurisdiction {profile.code!r}."
        )
