"""Reads of the public careers pages: nothing here is scoped, because nothing here is private."""

from django.db.models import QuerySet
from django.utils import timezone

from recruitment.models import Posting


def open_postings() -> QuerySet[Posting]:
    """Postings the public may see and apply to, newest first: open, not concluded, and not
    past their closing time (valid_through), even before the beat task closes them."""
    return Posting.objects.accepting_applications(timezone.now()).order_by("-published_at", "-pk")


def public_postings() -> QuerySet[Posting]:
    """Postings the public may look at: open ones, and closed ones (shown as closed).

    Drafts are never public.
    """
    return Posting.objects.exclude(status=Posting.Status.DRAFT)
