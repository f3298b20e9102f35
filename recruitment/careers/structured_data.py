"""schema.org `JobPosting` structured data of a posting, as job boards and search engines
(Google for Jobs) read it from the posting's page. Postings hold no personal data, and
nothing here adds any: the employer is the controller of the privacy notice.

Only a posting that takes applications has it: a closed, concluded, draft or expired one
must not be offered as open by a search engine.
"""

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pycountry
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

from recruitment.models import Posting

# Our employment types as schema.org / Google name them.
EMPLOYMENT_TYPES = {
    Posting.EmploymentType.FULL_TIME: "FULL_TIME",
    Posting.EmploymentType.PART_TIME: "PART_TIME",
    Posting.EmploymentType.CONTRACT: "CONTRACTOR",
    Posting.EmploymentType.INTERNSHIP: "INTERN",
    Posting.EmploymentType.TEMPORARY: "TEMPORARY",
}

SALARY_UNITS = {
    Posting.SalaryPeriod.HOUR: "HOUR",
    Posting.SalaryPeriod.DAY: "DAY",
    Posting.SalaryPeriod.WEEK: "WEEK",
    Posting.SalaryPeriod.MONTH: "MONTH",
    Posting.SalaryPeriod.YEAR: "YEAR",
}

# What Django's json_script escapes: inside <script>, no "</script>", "<!--" or "&" survives
# as such, whatever a title or description holds; JSON parsers read the escapes back.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def job_posting(posting: Posting) -> dict[str, Any] | None:
    """The posting's schema.org JobPosting as a JSON-ready dict, or None when it takes no
    applications (closed, concluded, draft or past its closing time). No queries."""
    if not posting.accepts_applications or posting.published_at is None:
        return None
    url = absolute_url(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": posting.title,
        # Google takes HTML here: the description as the page shows it (escaped text in
        # paragraphs), never the raw text as markup.
        "description": str(linebreaks(posting.description, autoescape=True)),
        "datePosted": _iso(posting.published_at),
        "employmentType": EMPLOYMENT_TYPES[Posting.EmploymentType(posting.employment_type)],
        "hiringOrganization": hiring_organization(),
        "identifier": {
            "@type": "PropertyValue",
            "name": settings.CONTROLLER["name"],
            "value": str(posting.pk),
        },
        "url": url,
        "directApply": True,
    }
    if posting.valid_through is not None:
        data["validThrough"] = _iso(posting.valid_through)
    if posting.workplace != Posting.Workplace.REMOTE:
        data["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": posting.location,
                "addressCountry": posting.country or default_country(),
            },
        }
    if posting.workplace != Posting.Workplace.ON_SITE:
        data["jobLocationType"] = "TELECOMMUTE"
        if posting.remote_countries:
            data["applicantLocationRequirements"] = [
                {"@type": "Country", "name": _country_name(code)}
                for code in posting.remote_countries
            ]
    salary = base_salary(posting)
    if salary is not None:
        data["baseSalary"] = salary
    return data


def hiring_organization() -> dict[str, Any]:
    """The employer: the controller named in the privacy notice, with its website and logo
    where configured (ATS_CONTROLLER_WEBSITE, ATS_CONTROLLER_LOGO_URL)."""
    organization: dict[str, Any] = {"@type": "Organization", "name": settings.CONTROLLER["name"]}
    if settings.CONTROLLER_WEBSITE:
        organization["sameAs"] = settings.CONTROLLER_WEBSITE
        organization["url"] = settings.CONTROLLER_WEBSITE
    if settings.CONTROLLER_LOGO_URL:
        organization["logo"] = settings.CONTROLLER_LOGO_URL
    return organization


def base_salary(posting: Posting) -> dict[str, Any] | None:
    """A MonetaryAmount whose QuantitativeValue has the range given (one end, both, or a
    single value when they are equal), or None without a salary."""
    low, high = posting.salary_min, posting.salary_max
    if low is None and high is None:
        return None
    value: dict[str, Any] = {
        "@type": "QuantitativeValue",
        "unitText": SALARY_UNITS[Posting.SalaryPeriod(posting.salary_period)],
    }
    if low is not None and low == high:
        value["value"] = _number(low)
    else:
        if low is not None:
            value["minValue"] = _number(low)
        if high is not None:
            value["maxValue"] = _number(high)
    return {"@type": "MonetaryAmount", "currency": posting.salary_currency, "value": value}


def as_json(data: dict[str, Any] | None) -> SafeString | None:
    """`data` as JSON safe to put inside a `<script type="application/ld+json">` element
    (None for None): `<`, `>` and `&` become JSON escapes, as in Django's json_script
    (which cannot set the type search engines read), so no title or description can end
    the script or open a comment."""
    if data is None:
        return None
    payload = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(payload)  # noqa: S308 (escaped above)


def absolute_url(path: str) -> str:
    """`path` on the site's public address (ATS_PUBLIC_URL), as links in emails are."""
    return f"{settings.PUBLIC_URL}{path}"


def default_country() -> str:
    """The employer's country: the jurisdiction's, as an ISO 3166-1 alpha-2 code."""
    return str(settings.JURISDICTION).upper()


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country is not None else code


def _iso(moment: datetime) -> str:
    """ISO 8601 with the site's UTC offset, to the second."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)
