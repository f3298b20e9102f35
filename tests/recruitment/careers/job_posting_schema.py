"""schema.org `JobPosting` as Google for Jobs reads it: the properties schema.org defines for
the type (and inherits from Thing), the ones Google requires and recommends, and the shapes
of their values. `assert_valid_job_posting` checks one parsed JSON-LD object against them."""

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pycountry

# https://schema.org/JobPosting: its own properties and those of Thing (Intangible adds none).
JOB_POSTING_PROPERTIES = {
    "applicantLocationRequirements", "applicationContact", "baseSalary", "datePosted",
    "description", "directApply", "educationRequirements", "eligibilityToWorkRequirement",
    "employerOverview", "employmentType", "employmentUnit", "estimatedSalary",
    "experienceInPlaceOfEducation", "experienceRequirements", "hiringOrganization",
    "incentiveCompensation", "industry", "jobBenefits", "jobImmediateStart", "jobLocation",
    "jobLocationType", "jobStartDate", "occupationalCategory", "physicalRequirement",
    "qualifications", "relevantOccupation", "responsibilities", "salaryCurrency",
    "securityClearanceRequirement", "sensoryRequirement", "skills", "specialCommitments",
    "title", "totalJobOpenings", "validThrough", "workHours",
    # Thing
    "additionalType", "alternateName", "disambiguatingDescription", "identifier", "image",
    "mainEntityOfPage", "name", "potentialAction", "sameAs", "subjectOf", "url",
}  # fmt: skip
# Google's required properties (jobLocation, or the remote pair, is checked below).
REQUIRED = {"@context", "@type", "title", "description", "datePosted", "hiringOrganization"}
# Google's recommended properties that every posting of ours can have.
RECOMMENDED = {"employmentType", "directApply", "identifier", "url"}
EMPLOYMENT_TYPES = {
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM",
    "OTHER",
}  # fmt: skip
UNIT_TEXTS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}


class _LdJson(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def ld_json_blocks(html: str) -> list[Any]:
    """Every `<script type="application/ld+json">` of the page, parsed, as a browser's
    HTML parser delimits them (the first `</script>` ends one)."""
    parser = _LdJson()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]


def iso_datetime(value: Any) -> datetime:
    assert isinstance(value, str)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)", value), value
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, "a moment with its UTC offset"
    return moment


def _typed(value: Any, schema_type: str) -> dict[str, Any]:
    assert isinstance(value, dict), value
    assert value.get("@type") == schema_type, value
    return value


def _text(value: Any) -> str:
    assert isinstance(value, str) and value.strip(), value
    return value


def _number(value: Any) -> float:
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    assert value > 0
    return float(value)


def assert_valid_job_posting(data: Any) -> None:
    """Fails unless `data` is a JobPosting with Google's required and recommended
    properties, each of the type schema.org and Google expect."""
    assert isinstance(data, dict)
    assert data["@context"] in {"https://schema.org/", "https://schema.org"}
    assert data["@type"] == "JobPosting"
    assert set(data) >= REQUIRED | RECOMMENDED, (REQUIRED | RECOMMENDED) - set(data)
    assert set(data) - {"@context", "@type"} <= JOB_POSTING_PROPERTIES, set(data)

    _text(data["title"])
    _text(data["description"])
    posted = iso_datetime(data["datePosted"])
    if "validThrough" in data:
        assert iso_datetime(data["validThrough"]) > posted
    assert data["employmentType"] in EMPLOYMENT_TYPES
    assert data["directApply"] is True
    assert _text(data["url"]).startswith(("http://", "https://"))
    identifier = _typed(data["identifier"], "PropertyValue")
    _text(identifier["name"])
    _text(identifier["value"])

    organization = _typed(data["hiringOrganization"], "Organization")
    _text(organization["name"])
    for link in ("sameAs", "url", "logo"):
        if link in organization:
            assert _text(organization[link]).startswith(("http://", "https://"))

    remote = data.get("jobLocationType") == "TELECOMMUTE"
    assert "jobLocationType" not in data or remote
    if remote:
        requirements = data.get("applicantLocationRequirements", [])
        assert isinstance(requirements, list)
        for requirement in requirements:
            _text(_typed(requirement, "Country")["name"])
    if "jobLocation" in data:
        address = _typed(_typed(data["jobLocation"], "Place")["address"], "PostalAddress")
        _text(address["addressLocality"])
        assert pycountry.countries.get(alpha_2=address["addressCountry"]) is not None
    else:
        # Google: without a place, a remote job says where its applicants may be.
        assert remote and data["applicantLocationRequirements"]

    if "baseSalary" in data:
        salary = _typed(data["baseSalary"], "MonetaryAmount")
        assert pycountry.currencies.get(alpha_3=salary["currency"]) is not None
        value = _typed(salary["value"], "QuantitativeValue")
        assert value["unitText"] in UNIT_TEXTS
        amounts = set(value) & {"value", "minValue", "maxValue"}
        assert amounts and not ({"value"} < amounts), value
        numbers = {key: _number(value[key]) for key in amounts}
        if {"minValue", "maxValue"} <= amounts:
            assert numbers["minValue"] <= numbers["maxValue"]
