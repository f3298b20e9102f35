"""What job boards, feed readers and search engines read: the JobPosting JSON-LD of each open
posting's page, the Atom feed, sitemap.xml and robots.txt; postings closing at their
closing time (the beat task, and the careers pages before it runs)."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import feedparser
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from recruitment.careers import tasks
from recruitment.careers.services import PostingNotOpen
from recruitment.models import Posting
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply, apply_as, nothing_stored, unique_name
from tests.recruitment.careers.job_posting_schema import assert_valid_job_posting, ld_json_blocks

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page(client: Client, posting: Posting) -> Any:
    return client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))


def job_posting_of(client: Client, posting: Posting) -> dict[str, Any]:
    response = page(client, posting)
    assert response.status_code == 200
    [data] = ld_json_blocks(response.content.decode())
    assert_valid_job_posting(data)
    return data


def public_url(path: str) -> str:
    return f"{django_settings.PUBLIC_URL}{path}"


# --- JSON-LD ----------------------------------------------------------------------------------


def test_an_open_posting_page_carries_a_valid_job_posting_with_salary_and_closing_time(
    client: Client, settings: Settings
) -> None:
    settings.CONTROLLER_WEBSITE = "https://www.example.org"
    settings.CONTROLLER_LOGO_URL = "https://www.example.org/logo.png"
    closes = timezone.now() + timedelta(days=20)
    posting = PostingFactory.create(
        title="Site Reliability Engineer",
        employment_type=Posting.EmploymentType.CONTRACT,
        location="Mostar",
        country="BA",
        valid_through=closes,
        salary_min=Decimal("2000"),
        salary_max=Decimal("2750.50"),
        salary_currency="BAM",
        salary_period=Posting.SalaryPeriod.MONTH,
    )

    data = job_posting_of(client, posting)

    assert data["title"] == "Site Reliability Engineer"
    assert data["employmentType"] == "CONTRACTOR"
    assert data["description"].startswith("<p>You will build and run Django services.</p>")
    assert data["url"] == public_url(f"/careers/{posting.slug}/")
    assert data["identifier"]["value"] == str(posting.pk)
    assert abs(datetime.fromisoformat(data["validThrough"]) - closes) < timedelta(seconds=1)
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Mostar",
        "addressCountry": "BA",
    }
    assert "jobLocationType" not in data
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": django_settings.CONTROLLER["name"],
        "sameAs": "https://www.example.org",
        "url": "https://www.example.org",
        "logo": "https://www.example.org/logo.png",
    }
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "BAM",
        "value": {
            "@type": "QuantitativeValue",
            "minValue": 2000,
            "maxValue": 2750.5,
            "unitText": "MONTH",
        },
    }


def test_without_salary_or_closing_time_they_are_left_out_and_the_country_is_the_employers(
    client: Client, settings: Settings
) -> None:
    settings.JURISDICTION = "rs"
    settings.CONTROLLER_WEBSITE = ""
    data = job_posting_of(client, PostingFactory.create())
    assert "baseSalary" not in data and "validThrough" not in data
    assert data["jobLocation"]["address"]["addressCountry"] == "RS"
    assert set(data["hiringOrganization"]) == {"@type", "name"}


def test_a_remote_posting_names_telecommute_and_the_countries_instead_of_a_place(
    client: Client,
) -> None:
    posting = PostingFactory.create(
        workplace=Posting.Workplace.REMOTE,
        remote_countries=["RS", "BA"],
        salary_max=Decimal("40"),
        salary_currency="EUR",
        salary_period=Posting.SalaryPeriod.HOUR,
    )
    data = job_posting_of(client, posting)
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert "jobLocation" not in data
    assert data["applicantLocationRequirements"] == [
        {"@type": "Country", "name": "Serbia"},
        {"@type": "Country", "name": "Bosnia and Herzegovina"},
    ]
    assert data["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "maxValue": 40,
        "unitText": "HOUR",
    }


def test_a_hybrid_posting_has_both_its_place_and_remote_work(client: Client) -> None:
    posting = PostingFactory.create(workplace=Posting.Workplace.HYBRID, remote_countries=["HR"])
    data = job_posting_of(client, posting)
    assert data["jobLocation"]["address"]["addressLocality"] == posting.location
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == [{"@type": "Country", "name": "Croatia"}]


@pytest.mark.parametrize(
    "state",
    [
        {"status": Posting.Status.CLOSED},
        {"status": Posting.Status.CLOSED, "concluded_at": timezone.now()},
        # Past its closing time and not yet closed by the beat task.
        {"valid_through": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["closed", "concluded", "expired"],
)
def test_a_posting_that_takes_no_applications_has_no_json_ld(
    client: Client, state: dict[str, Any]
) -> None:
    posting = PostingFactory.create(
        salary_min=Decimal(1000), salary_currency="EUR", salary_period="month", **state
    )
    response = page(client, posting)
    html = response.content.decode()
    assert response.status_code == 200
    assert "no longer accepting applications" in html
    assert ld_json_blocks(html) == []
    assert "application/ld+json" not in html


def test_a_draft_has_no_page_at_all(client: Client) -> None:
    draft = PostingFactory.create(status=Posting.Status.DRAFT, published_at=None)
    assert page(client, draft).status_code == 404


def test_a_title_or_description_cannot_break_out_of_the_json_ld_script(client: Client) -> None:
    title = '</script><script>alert("title")</script><!--'
    description = "Tools: <b>bold</b> & </SCRIPT ><img src=x onerror=alert(1)>"
    posting = PostingFactory.create(title=title, description=description)

    html = page(client, posting).content.decode()
    data = job_posting_of(client, posting)

    assert data["title"] == title
    # Google reads HTML here: the text is escaped once, so it shows as typed.
    assert data["description"] == (
        "<p>Tools: &lt;b&gt;bold&lt;/b&gt; &amp; &lt;/SCRIPT &gt;&lt;img src=x "
        "onerror=alert(1)&gt;</p>"
    )
    assert '<script>alert("title")' not in html
    assert "<img src=x" not in html
    start = html.index(">", html.index('<script type="application/ld+json"')) + 1
    assert "<" not in html[start : html.index("</script>", start)]


def test_the_feed_is_linked_from_the_listing_and_the_posting_page(client: Client) -> None:
    posting = PostingFactory.create()
    feed = reverse("careers:feed")
    link = f'<link rel="alternate" type="application/atom+xml" href="{feed}"'
    assert link in client.get(reverse("careers:posting_list")).content.decode()
    assert link in page(client, posting).content.decode()


# --- Feed, sitemap, robots.txt ------------------------------------------------------------------


@pytest.fixture
def postings_in_every_state() -> dict[str, Posting]:
    now = timezone.now()
    return {
        "open": PostingFactory.create(title="Open One", published_at=now - timedelta(days=2)),
        "open_closing": PostingFactory.create(
            title="Open Closing Later", valid_through=now + timedelta(days=3)
        ),
        "expired": PostingFactory.create(
            title="Expired Unswept", valid_through=now - timedelta(seconds=1)
        ),
        "closed": PostingFactory.create(title="Closed One", status=Posting.Status.CLOSED),
        "concluded": PostingFactory.create(
            title="Concluded One", status=Posting.Status.CLOSED, concluded_at=now
        ),
        "draft": PostingFactory.create(
            title="Draft One", status=Posting.Status.DRAFT, published_at=None
        ),
    }


def assert_publicly_cacheable(response: Any) -> None:
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=" in cache_control
    assert "no-store" not in cache_control and "private" not in cache_control
    # Nothing is set, so a visitor's own copy and a shared cache's are the same; `Vary`
    # names the language inputs (the Accept-Language header and the `language` cookie).
    assert not response.cookies
    assert "Accept-Language" in response["Vary"]


def test_the_atom_feed_lists_only_open_postings_and_no_personal_data(
    client: Client, postings_in_every_state: dict[str, Posting]
) -> None:
    open_posting = postings_in_every_state["open"]
    applicant = unique_name("Feedless Applicant")
    apply_as(open_posting, applicant)

    response = client.get(reverse("careers:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert_publicly_cacheable(response)
    body = response.content.decode()
    assert applicant not in body and applicant.lower().replace(" ", ".") not in body
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == f"Open positions at {django_settings.CONTROLLER['name']}"
    assert parsed.feed.link == public_url("/careers/")
    assert [entry.title for entry in parsed.entries] == ["Open Closing Later", "Open One"]
    assert parsed.entries[1].link == public_url(f"/careers/{open_posting.slug}/")
    assert parsed.entries[1].summary.startswith(open_posting.summary)
    # The same document, read as plain Atom XML.
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == f"{ATOM}feed"
    assert len(root.findall(f"{ATOM}entry")) == 2


def test_the_sitemap_lists_the_listing_and_only_open_postings(
    client: Client, postings_in_every_state: dict[str, Posting]
) -> None:
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert_publicly_cacheable(response)
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == f"{SITEMAP}urlset"
    urls = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    expected = {
        public_url("/careers/"),
        *(
            public_url(f"/careers/{postings_in_every_state[state].slug}/")
            for state in ("open", "open_closing")
        ),
    }
    assert set(urls) == expected
    assert all(lastmod for lastmod in urls.values())
    posting = postings_in_every_state["open"]
    assert urls[public_url(f"/careers/{posting.slug}/")] == (
        timezone.localtime(posting.updated_at).date().isoformat()
    )


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(
    client: Client,
) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert_publicly_cacheable(response)
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /staff/", "Disallow: /privacy/", "Disallow: /admin/"} <= set(lines)
    assert f"Sitemap: {public_url('/sitemap.xml')}" in lines
    assert "Disallow: /careers/" not in lines and "Disallow: /" not in lines


# --- Closing at the closing time ------------------------------------------------------------------


def test_the_beat_task_closes_expired_open_postings_and_nothing_else_and_can_rerun(
    postings_in_every_state: dict[str, Posting],
) -> None:
    now = timezone.now()
    also_expired = PostingFactory.create(valid_through=now - timedelta(days=1))
    expired_draft = PostingFactory.create(
        status=Posting.Status.DRAFT, published_at=None, valid_through=now - timedelta(days=1)
    )
    expired_ids = {postings_in_every_state["expired"].pk, also_expired.pk}
    before = {p.pk: (p.status, p.closed_at, p.updated_at) for p in Posting.objects.all()}
    assert "recruitment.close_expired_postings" in {
        entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert tasks.close_expired_postings() == 2

    after = {p.pk: (p.status, p.closed_at, p.updated_at) for p in Posting.objects.all()}
    for pk in expired_ids:
        status, closed_at, _ = after[pk]
        assert status == Posting.Status.CLOSED and closed_at is not None and closed_at >= now
    assert {pk: state for pk, state in after.items() if pk not in expired_ids} == {
        pk: state for pk, state in before.items() if pk not in expired_ids
    }
    assert Posting.objects.get(pk=expired_draft.pk).status == Posting.Status.DRAFT

    assert tasks.close_expired_postings() == 0
    assert {p.pk: (p.status, p.closed_at, p.updated_at) for p in Posting.objects.all()} == after


def test_the_careers_form_refuses_an_application_after_the_closing_time_before_the_task_runs(
    client: Client,
) -> None:
    posting = PostingFactory.create(valid_through=timezone.now() - timedelta(seconds=1))
    assert posting.status == Posting.Status.OPEN

    response = apply(client, posting)

    assert response.status_code == 410
    assert "no longer accepting applications" in response.content.decode()
    assert nothing_stored()
    listing = client.get(reverse("careers:posting_list")).content.decode()
    assert posting.title not in listing


def test_the_service_refuses_a_posting_whose_closing_time_passed_while_it_was_loaded() -> None:
    posting = PostingFactory.create(valid_through=timezone.now() + timedelta(hours=1))
    # The page loaded it open; then its closing time was moved into the past.
    Posting.objects.filter(pk=posting.pk).update(
        valid_through=timezone.now() - timedelta(seconds=1)
    )
    assert posting.accepts_applications
    with pytest.raises(PostingNotOpen):
        apply_as(posting, unique_name("Late Applicant"))
    assert nothing_stored()


# --- Staff: the posting form ----------------------------------------------------------------------


@pytest.fixture
def recruiter_client(client: Client) -> tuple[Client, Posting]:
    posting = PostingFactory.create(title="Platform Engineer")
    client.force_login(MembershipFactory.create(posting=posting, role="recruiter").user)
    return client, posting


def form_data(posting: Posting, **overrides: str) -> dict[str, str]:
    data = {
        "title": posting.title,
        "summary": posting.summary,
        "description": posting.description,
        "location": posting.location,
        "employment_type": posting.employment_type,
        "workplace": "on_site",
        "country": "",
        "remote_countries": "",
        "valid_through": "",
        "salary_min": "",
        "salary_max": "",
        "salary_currency": "",
        "salary_period": "",
    }
    data.update(overrides)
    return data


def edit(client: Client, posting: Posting, **overrides: str) -> Any:
    url = reverse("staff:posting_edit", kwargs={"pk": posting.pk})
    return client.post(url, form_data(posting, **overrides))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {
                "salary_min": "3000",
                "salary_max": "2000",
                "salary_currency": "EUR",
                "salary_period": "year",
            },
            "salary_max",
            "The upper end of the salary cannot be below its lower end.",
        ),
        ({"salary_min": "2000", "salary_period": "month"}, "salary_currency", "its currency"),
        (
            {"salary_min": "2000", "salary_currency": "EUROS", "salary_period": "month"},
            "salary_currency",
            "at most 3 characters",
        ),
        (
            {"salary_min": "2000", "salary_currency": "XYZ", "salary_period": "month"},
            "salary_currency",
            "is not an ISO 4217 currency code",
        ),
        (
            {"salary_max": "2000", "salary_currency": "EUR"},
            "salary_period",
            "per hour, day, week, month or year",
        ),
        ({"salary_currency": "EUR", "salary_period": "month"}, "salary_min", "Enter the salary"),
        (
            {"salary_min": "-5", "salary_currency": "EUR", "salary_period": "month"},
            "salary_min",
            "greater than or equal to 0.01",
        ),
        ({"workplace": "remote"}, "remote_countries", "Name the countries"),
        ({"workplace": "remote", "remote_countries": "RS, XX"}, "remote_countries", "XX"),
        ({"remote_countries": "RS"}, "remote_countries", "Only a remote or hybrid posting"),
        ({"country": "Serbia"}, "country", "at most 2 characters"),
        ({"valid_through": "2001-01-01T10:00"}, "valid_through", "must be in the future"),
    ],
)
def test_the_posting_form_refuses_bad_salary_place_or_closing_time_and_changes_nothing(
    recruiter_client: tuple[Client, Posting], overrides: dict[str, str], field: str, message: str
) -> None:
    client, posting = recruiter_client
    before = Posting.objects.values().get(pk=posting.pk)

    response = edit(client, posting, title="Changed", **overrides)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {field}, errors
    assert message in " ".join(errors[field])
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert Posting.objects.values().get(pk=posting.pk) == before


def test_the_posting_form_saves_salary_closing_time_and_remote_countries(
    recruiter_client: tuple[Client, Posting],
) -> None:
    client, posting = recruiter_client
    closes = (timezone.localtime() + timedelta(days=10)).replace(second=0, microsecond=0)

    response = edit(
        client,
        posting,
        workplace="remote",
        remote_countries="rs ba, RS",
        valid_through=closes.strftime("%Y-%m-%dT%H:%M"),
        salary_min="1500",
        salary_max="2500.50",
        salary_currency="eur",
        salary_period="month",
    )

    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.workplace == Posting.Workplace.REMOTE
    assert posting.remote_countries == ["RS", "BA"]
    assert posting.valid_through == closes
    assert (posting.salary_min, posting.salary_max) == (Decimal("1500"), Decimal("2500.50"))
    assert (posting.salary_currency, posting.salary_period) == ("EUR", "month")
    page_of_form = client.get(reverse("staff:posting_edit", kwargs={"pk": posting.pk}))
    assert 'value="RS, BA"' in page_of_form.content.decode()


def test_a_closed_posting_whose_closing_time_passed_can_still_be_edited_but_not_republished(
    recruiter_client: tuple[Client, Posting],
) -> None:
    client, posting = recruiter_client
    Posting.objects.filter(pk=posting.pk).update(
        status=Posting.Status.CLOSED,
        closed_at=timezone.now(),
        valid_through=timezone.now() - timedelta(days=1),
    )
    posting.refresh_from_db()
    old = timezone.localtime(posting.valid_through).strftime("%Y-%m-%dT%H:%M")

    assert edit(client, posting, title="Renamed", valid_through=old).status_code == 302
    posting.refresh_from_db()
    assert posting.title == "Renamed"

    response = client.post(reverse("staff:posting_publish", kwargs={"pk": posting.pk}), follow=True)
    assert "Its closing date has passed" in response.content.decode()
    posting.refresh_from_db()
    assert posting.status == Posting.Status.CLOSED


def test_the_listing_shows_people_the_workplace_salary_and_closing_time(client: Client) -> None:
    PostingFactory.create(
        workplace=Posting.Workplace.REMOTE,
        remote_countries=["RS"],
        valid_through=timezone.now() + timedelta(days=3),
        salary_min=Decimal("1500"),
        salary_max=Decimal("2500.50"),
        salary_currency="EUR",
        salary_period=Posting.SalaryPeriod.MONTH,
    )
    PostingFactory.create(salary_max=Decimal("40"), salary_currency="EUR", salary_period="hour")

    html = client.get(reverse("careers:posting_list")).content.decode()

    assert "Remote" in html
    assert "Salary 1,500\u20132,500.50 EUR per month" in html  # an en dash
    assert "Salary up to 40 EUR per hour" in html
    assert "Apply by " in html


def test_the_posting_page_shows_people_what_its_structured_data_tells_job_boards(
    client: Client,
) -> None:
    # Google's guidelines: structured data describes what the page itself shows.
    posting = PostingFactory.create(
        valid_through=timezone.now() + timedelta(days=3),
        salary_min=Decimal("1500"),
        salary_max=Decimal("2500"),
        salary_currency="EUR",
        salary_period=Posting.SalaryPeriod.MONTH,
    )

    html = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug})).content
    text = html.decode()

    assert "Salary 1,500\u20132,500 EUR per month" in text
    assert "Apply by " in text
