from django.urls import path

from recruitment.views import privacy

app_name = "privacy"

urlpatterns = [
    path("notice/", privacy.notice, name="notice"),
]
