from django.urls import path

from recruitment.careers import views as careers

app_name = "careers"

urlpatterns = [
    path("", careers.posting_list, name="posting_list"),
    path("<slug:slug>/", careers.posting_detail, name="posting_detail"),
    path("<slug:slug>/applied/", careers.applied, name="applied"),
]
