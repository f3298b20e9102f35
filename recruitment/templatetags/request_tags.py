"""Template tags of the privacy officer's pages: the staff navigation's "Requests" link, and
beside it the link to the privacy notice and consent text versions."""

from typing import Any

from django import template
from django.utils import timezone

from recruitment import access
from recruitment.rights.services.requests import open_requests_due_soon

register = template.Library()


@register.inclusion_tag("staff/requests/_nav_link.html", takes_context=True)
def requests_nav_link(context: template.Context) -> dict[str, Any]:
    """The "Requests" link, for those who may handle requests only, with how many open ones
    are due within the reminder window (or overdue), and the "Privacy texts" link (the same
    people publish notice and consent text versions). One COUNT on the open-requests index."""
    user = context.get("user")
    if user is None or not access.can_manage_retention(user):
        return {"show": False}
    due_soon = open_requests_due_soon(access.requests_visible_to(user), now=timezone.now())
    return {"show": True, "due_soon": due_soon}
