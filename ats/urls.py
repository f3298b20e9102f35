"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ats import health
from recruitment.accounts import views as account_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="careers:posting_list", permanent=False)),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("careers/", include("recruitment.careers.urls")),
    path("", include("recruitment.careers.root_urls")),  # /sitemap.xml, /robots.txt
    path("privacy/", include("recruitment.rights.urls")),
    path("staff/", include("recruitment.accounts.urls")),
    path("staff/", include("recruitment.workspace.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
]

handler404 = "recruitment.workspace.errors.not_found"
handler500 = "recruitment.workspace.errors.server_error"
