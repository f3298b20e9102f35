"""The talent pool's link in the staff navigation (the pool is a domain above the layout)."""

from typing import Any

from django import template

from recruitment.pool.selectors import may_use_pool

register = template.Library()


@register.inclusion_tag("staff/pool/_nav_link.html", takes_context=True)
def pool_nav_link(context: template.Context) -> dict[str, Any]:
    """The "Talent pool" link, for those who may use it (one EXISTS for non-admins)."""
    user = context.get("user")
    return {"show": user is not None and may_use_pool(user)}
