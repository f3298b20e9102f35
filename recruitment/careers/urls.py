from django.urls import path

from recruitment.careers.feeds import OpenPostingsFeed
from recruitment.careers.robots import public_cache
from recruitment.careers.views import public as careers

app_name = "careers"

urlpatterns = [
    path("", careers.posting_list, name="posting_list"),
    # A dot no slug has: a posting titled "Feed" keeps its page.
    path("feed.atom", public_cache(OpenPostingsFeed()), name="feed"),
    # An invitation from the talent pool: a token, never anything personal (views.public).
    path("invitation/<str:token>/", careers.invitation_link, name="invitation"),
    path("<slug:slug>/", careers.posting_detail, name="posting_detail"),
    path("<slug:slug>/applied/", careers.applied, name="applied"),
]
