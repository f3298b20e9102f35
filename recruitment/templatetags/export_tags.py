"""The data export panel (PRIVACY.md P10) that an application's page shows privacy officers
and admins. A tag, so that the pipeline's page shows a panel of the rights domain without the
pipeline importing it (the domain layers in pyproject's import-linter contracts)."""

from typing import Any

from django import template

from recruitment.models import Application
from recruitment.rights import selectors

register = template.Library()


@register.inclusion_tag("staff/_exports.html", takes_context=True)
def exports_panel(context: template.Context, application: Application) -> dict[str, Any]:
    """The candidate's exports and the button to produce one; the page decides who sees it
    (`access.can_manage_retention`). One query. Reads only."""
    return {
        "application": application,
        "exports": selectors.candidate_exports(candidate_id=application.candidate_id),
        "next": context["request"].get_full_path(),
        # The panel's form posts: the inclusion tag's own context needs the token.
        "csrf_token": context.get("csrf_token"),
    }
