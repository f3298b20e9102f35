"""The public careers pages: listing, posting detail and form, privacy notice."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from recruitment.models import Posting
from tests.factories import PostingFactory

pytestmark = pytest.mark.django_db


class _Collector(HTMLParser):
    """The page's resources, and the fields of its forms but the language switcher."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.resources: list[str] = []
        self._in_switcher = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._in_switcher = "language-switcher" in (attributes.get("class") or "")
        if tag in {"input", "textarea", "select"} and not self._in_switcher:
            self.inputs.append({"tag": tag, **attributes})
        for name in ("src", "href"):
            value = attributes.get(name)
            if value and (tag in {"script", "img", "iframe", "link", "source"}):
                self.resources.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_switcher = False


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_the_listing_shows_open_postings_newest_first_and_hides_the_rest(client: Client) -> None:
    now = timezone.now()
    older = PostingFactory.create(title="Older Opening", published_at=now - timedelta(days=3))
    newer = PostingFactory.create(title="Newer Opening", published_at=now - timedelta(days=1))
    PostingFactory.create(title="Draft Opening", status=Posting.Status.DRAFT, published_at=None)
    PostingFactory.create(title="Closed Opening", status=Posting.Status.CLOSED)

    response = client.get(reverse("careers:posting_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft Opening" not in page
    assert "Closed Opening" not in page
    assert page.index(newer.title) < page.index(older.title)
    assert newer.location in page
    assert "Full-time" in page
    assert newer.summary in page


def test_the_listing_says_so_when_nothing_is_open(client: Client) -> None:
    response = client.get(reverse("careers:posting_list"))
    assert "There are no open positions at the moment." in response.content.decode()


def test_the_root_redirects_to_the_careers_pages(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("careers:posting_list")


def test_the_posting_page_shows_the_form_with_only_the_published_data_categories(
    client: Client, posting: Posting
) -> None:
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    assert response.status_code == 200
    names = {field.get("name") for field in parse(response.content.decode()).inputs}
    assert names == {
        "csrfmiddlewaretoken",
        "full_name",
        "email",
        "phone",
        "cv",
        "cover_letter",
        "privacy_acknowledged",
        "age_attested",
        "talent_pool_consent",
        "website",
        # Hidden: the versions of the notice and consent text the page shows.
        "notice_version",
        "consent_text_version",
        # Hidden: the source the posting link named (a channel, not personal data).
        "source",
        # Hidden: the fingerprint of the posting's own questions shown (none here).
        "questions_fingerprint",
    }
    # PRIVACY.md P18: no date of birth, photo, gender or national id.
    for forbidden in ("birth", "photo", "gender", "national", "jmbg"):
        assert not any(forbidden in (name or "") for name in names)


def test_the_browser_may_fill_in_the_applicants_details_but_never_the_honeypot(
    client: Client, posting: Posting
) -> None:
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    fields = {f.get("name"): f for f in parse(response.content.decode()).inputs}
    assert fields["full_name"]["autocomplete"] == "name"
    assert fields["email"]["autocomplete"] == "email"
    assert (fields["phone"]["autocomplete"], fields["phone"]["type"]) == ("tel", "tel")
    assert fields["website"]["autocomplete"] == "off"


def test_the_talent_pool_consent_is_separate_optional_and_unticked(
    client: Client, posting: Posting
) -> None:
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    html = response.content.decode()
    [consent] = [f for f in parse(html).inputs if f.get("name") == "talent_pool_consent"]
    assert consent["type"] == "checkbox"
    assert "checked" not in consent
    assert "required" not in consent
    assert "keep my application and CV for 12 months" in html


def test_the_form_shows_controller_purpose_legal_basis_retention_and_the_notice_link(
    client: Client, posting: Posting, settings: Settings
) -> None:
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    html = response.content.decode()
    assert "Example Employer d.o.o." in html
    assert "To assess your application for this position." in html
    assert "Legal basis" in html
    assert "until this recruitment process is formally concluded, and then delete it" in html
    assert reverse("privacy:notice") in html
    assert "I am at least 15 years old." in html


def test_the_minimum_age_comes_from_configuration(
    client: Client, posting: Posting, settings: Settings
) -> None:
    settings.APPLICANT_MIN_AGE = 16
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    assert "I am at least 16 years old." in response.content.decode()


def test_a_closed_posting_page_says_it_no_longer_accepts_applications(client: Client) -> None:
    posting = PostingFactory.create(status=Posting.Status.CLOSED)
    response = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer accepting applications" in html
    assert 'name="cv"' not in html


def test_an_unknown_posting_is_a_friendly_404(client: Client) -> None:
    response = client.get("/careers/no-such-posting/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_privacy_notice_renders_from_configuration(client: Client, settings: Settings) -> None:
    settings.PROCESSORS = ["Hosting Provider d.o.o. (servers, EU)"]
    response = client.get(reverse("privacy:notice"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Example Employer d.o.o." in html
    assert "Poverenik za informacije od javnog značaja" in html
    assert "until the recruitment process has been formally concluded" in html
    assert "We answer within 30 days." in html
    assert "up to 60 days" in html
    assert "Hosting Provider d.o.o. (servers, EU)" in html


@pytest.mark.parametrize(
    "url_name", ["careers:posting_list", "careers:posting_detail", "privacy:notice"]
)
def test_public_pages_load_no_third_party_resource_and_set_no_tracking_cookie(
    client: Client, posting: Posting, url_name: str
) -> None:
    kwargs = {"slug": posting.slug} if url_name == "careers:posting_detail" else {}
    response = client.get(reverse(url_name, kwargs=kwargs))
    html = response.content.decode()
    for resource in parse(html).resources:
        assert not re.match(r"^(https?:)?//", resource), resource
    # Only the CSRF cookie, which the form needs, may be set (PRIVACY.md P21).
    assert set(response.cookies) <= {"csrftoken"}
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
