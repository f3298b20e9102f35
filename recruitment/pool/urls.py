"""The talent pool's pages, mounted under /staff/pool/ by recruitment.workspace.urls."""

from django.urls import path

from recruitment.pool import views

app_name = "pool"

urlpatterns = [
    path("", views.search, name="search"),
    path("invite/", views.invite, name="invite"),
    path("<uuid:pk>/", views.person, name="person"),
    path("<uuid:pk>/cv/<uuid:cv_id>/", views.download_cv, name="cv_download"),
]
