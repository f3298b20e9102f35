"""What the careers site serves at the site's root, for crawlers: /sitemap.xml and
/robots.txt (mounted by ats/urls.py)."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from recruitment.careers.robots import public_cache, robots_txt
from recruitment.careers.sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", public_cache(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
]
