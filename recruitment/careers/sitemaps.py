"""sitemap.xml (django.contrib.sitemaps): the careers listing and every open posting. Public,
and holds no personal data."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from recruitment.careers import selectors
from recruitment.models import Posting


class PublicAddress:
    """Every URL on the public address (ATS_PUBLIC_URL), as in emails and the feed, whatever
    host the request named."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.PUBLIC_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.PUBLIC_URL).netloc


class CareersListingSitemap(PublicAddress, Sitemap):
    """The list of open positions; changed when the newest open posting changed."""

    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return ["careers:posting_list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        return selectors.open_postings().aggregate(latest=Max("updated_at"))["latest"]


class OpenPostingsSitemap(PublicAddress, Sitemap):
    """Every posting that takes applications; closed and expired ones drop out."""

    changefreq = "weekly"
    priority = 0.6

    def items(self) -> QuerySet[Posting]:
        return selectors.open_postings()

    def location(self, item: Posting) -> str:
        return reverse("careers:posting_detail", kwargs={"slug": item.slug})

    def lastmod(self, item: Posting) -> datetime:
        return item.updated_at


SITEMAPS: dict[str, type[Sitemap]] = {
    "careers": CareersListingSitemap,
    "postings": OpenPostingsSitemap,
}
