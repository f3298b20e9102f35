"""Reads of the public careers pages: nothing here is scoped, because nothing here is private."""

import re

from django.db.models import QuerySet
from django.utils import timezone

from recruitment.models import CAREERS_SITE, Posting, Source

# What a source's slug can be (a SlugField of at most 50, lower-cased).
SLUG = re.compile(r"[-a-z0-9_]{1,50}")


def open_postings() -> QuerySet[Posting]:
    """Postings the public may see and apply to, newest first: open, not concluded, and not
    past their closing time (valid_through), even before the beat task closes them."""
    return Posting.objects.accepting_applications(timezone.now()).order_by("-published_at", "-pk")


def public_postings() -> QuerySet[Posting]:
    """Postings the public may look at: open ones, and closed ones (shown as closed).

    Drafts are never public.
    """
    return Posting.objects.exclude(status=Posting.Status.DRAFT)


def tracked_source(slug: str | None) -> str:
    """The source a posting link's `?source=` (or `utm_source=`) names, if it is an active
    source of the staff's allow-list, else the careers site. No query for an empty value or
    the careers site itself, one otherwise. Never trusts what it is given: anything unknown,
    inactive, malformed or too long is the careers site."""
    value = (slug or "").strip().lower()
    # Only a slug is ever looked up: nothing else can name a source (and PostgreSQL refuses
    # some characters, such as NUL, in a query's text).
    if value == CAREERS_SITE or not SLUG.fullmatch(value):
        return CAREERS_SITE
    # The talent pool's source is the invitation flow's to give: a link cannot claim it.
    found = (
        Source.objects.filter(slug=value, active=True)
        .exclude(kind=Source.Kind.TALENT_POOL)
        .values_list("slug", flat=True)
        .first()
    )
    return found or CAREERS_SITE


def sources() -> QuerySet[Source]:
    """Every source of the allow-list, active or not, built-in ones first (the staff page)."""
    return Source.objects.order_by("-builtin", "kind", "name")


def recordable_sources() -> QuerySet[Source]:
    """The sources staff may give an application they record: the active ones other than the
    careers site (an application received there came through the public form) and the
    talent pool (an invited person applies themselves, through their invitation)."""
    return Source.objects.filter(active=True).exclude(
        kind__in=[Source.Kind.CAREERS_SITE, Source.Kind.TALENT_POOL]
    )
