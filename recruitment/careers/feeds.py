"""The Atom feed of open postings (django.contrib.syndication). Public, and holds nothing
but what the careers pages show: no personal data."""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from recruitment.careers import selectors
from recruitment.careers.structured_data import absolute_url
from recruitment.models import Posting

# More than any small company's openings at once; newest first.
FEED_LIMIT = 100


class OpenPostingsFeed(Feed):
    """Open postings, newest first; every link on the public address (ATS_PUBLIC_URL), as
    in emails, whatever host the request named. Entry ids are the postings' public pages
    (a published posting's address never changes)."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Open positions at %(employer)s") % {"employer": settings.CONTROLLER["name"]}

    def subtitle(self) -> str:
        return _("Positions that currently accept applications.")

    def link(self) -> str:
        return absolute_url(reverse("careers:posting_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("careers:feed"))

    def author_name(self) -> str:
        return str(settings.CONTROLLER["name"])

    def items(self) -> QuerySet[Posting]:
        return selectors.open_postings()[:FEED_LIMIT]

    def item_title(self, item: Posting) -> str:
        return item.title

    def item_description(self, item: Posting) -> str:
        return f"{item.summary} ({item.location} · {item.get_employment_type_display()})"

    def item_link(self, item: Posting) -> str:
        return absolute_url(reverse("careers:posting_detail", kwargs={"slug": item.slug}))

    def item_pubdate(self, item: Posting) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Posting) -> datetime:
        return item.updated_at
