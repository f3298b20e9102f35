"""What crawlers read at the site's root: robots.txt, and the caching of the public,
personal-data-free documents made for them (sitemap.xml, the feed)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# They hold only what the public careers pages show: any cache may keep them a while.
public_cache: Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]] = cache_control(
    public=True, max_age=900
)

# Staff pages, the candidate portal (its links carry tokens) and the admin are nobody's
# search result.
DISALLOWED = ("/staff/", "/privacy/", "/admin/")


@require_GET
@public_cache
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines.append(f"Sitemap: {settings.PUBLIC_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
