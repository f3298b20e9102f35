from django.urls import path

from recruitment.notices.views import public as privacy
from recruitment.rights.views import portal

app_name = "privacy"

urlpatterns = [
    path("notice/", privacy.notice, name="notice"),
    path("", portal.request_link, name="request_link"),
    path("access/<str:token>/", portal.access, name="access"),
    path("renew/<str:token>/", portal.renew, name="renew"),
    path("continue/", portal.continue_to_portal, name="continue"),
    path("portal/", portal.portal, name="portal"),
    path("portal/details/", portal.details, name="details"),
    path("portal/applications/<uuid:application_id>/cv/", portal.replace_cv, name="replace_cv"),
    path("portal/applications/<uuid:application_id>/withdraw/", portal.withdraw, name="withdraw"),
    path(
        "portal/applications/<uuid:application_id>/messages/", portal.messages_page, name="messages"
    ),
    path(
        "portal/interviews/<uuid:interview_id>/answer/",
        portal.answer_interview,
        name="interview_answer",
    ),
    path("portal/consent/", portal.consent, name="consent"),
    path("portal/export/", portal.export, name="export"),
    path("portal/exports/<uuid:export_id>/", portal.download, name="download"),
    path("portal/erase/", portal.erase, name="erase"),
    path("portal/request/", portal.privacy_request, name="request"),
    path("portal/sign-out/", portal.sign_out, name="sign_out"),
]
