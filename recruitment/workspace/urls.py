"""The staff workspace. Every view here is login-only and scoped by recruitment.access."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from recruitment.audit import views as audit
from recruitment.careers.views import sources as sourcing
from recruitment.notices.views import staff as privacy_texts
from recruitment.pipeline.views import applications, dashboard, interviews, postings
from recruitment.pipeline.views import board as pipeline
from recruitment.pipeline.views import messages as messaging
from recruitment.questions import views as questions
from recruitment.retention import views as retention
from recruitment.rights.views import exports, requests
from recruitment.workspace import views as home

app_name = "staff"

urlpatterns = [
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="staff/password_change.html",
            success_url=reverse_lazy("staff:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="staff/password_change_done.html"),
        name="password_change_done",
    ),
    path("", home.home, name="home"),
    path("postings/new/", postings.create, name="posting_create"),
    path("postings/<int:pk>/edit/", postings.edit, name="posting_edit"),
    path("postings/<int:pk>/team/", postings.team, name="posting_team"),
    path(
        "postings/<int:pk>/team/<int:membership_id>/remove/",
        postings.remove_member,
        name="posting_team_remove",
    ),
    path("postings/<int:pk>/publish/", postings.publish, name="posting_publish"),
    path("postings/<int:pk>/close/", postings.close, name="posting_close"),
    path("postings/<int:pk>/conclude/", postings.conclude, name="posting_conclude"),
    path("postings/<int:pk>/questions/", questions.questions, name="posting_questions"),
    path(
        "postings/<int:pk>/questions/<int:question_id>/",
        questions.edit,
        name="posting_question_edit",
    ),
    path(
        "postings/<int:pk>/questions/<int:question_id>/remove/",
        questions.remove,
        name="posting_question_remove",
    ),
    path(
        "postings/<int:pk>/questions/<int:question_id>/move/",
        questions.move,
        name="posting_question_move",
    ),
    path("postings/<int:pk>/pipeline/", pipeline.board, name="pipeline"),
    path("postings/<int:pk>/pipeline/<slug:stage>/", pipeline.column, name="pipeline_column"),
    path("postings/<int:pk>/unsuccessful/", pipeline.bulk_unsuccessful, name="bulk_unsuccessful"),
    path("postings/<int:pk>/dashboard/", dashboard.posting_dashboard, name="posting_dashboard"),
    path(
        "postings/<int:pk>/record-application/",
        sourcing.record_application,
        name="application_record",
    ),
    path("sources/", sourcing.sources, name="sources"),
    path("sources/<slug:slug>/", sourcing.source_edit, name="source_edit"),
    path("applications/<uuid:pk>/", applications.detail, name="application"),
    path("applications/<uuid:pk>/move/", applications.move, name="application_move"),
    path("applications/<uuid:pk>/cv/<uuid:cv_id>/", applications.download_cv, name="cv_download"),
    path("applications/<uuid:pk>/notes/", applications.add_note, name="note_add"),
    path("applications/<uuid:pk>/assign/", applications.assign, name="application_assign"),
    path(
        "applications/<uuid:pk>/unassign/<int:user_id>/",
        applications.unassign,
        name="application_unassign",
    ),
    path("applications/<uuid:pk>/under-age/", applications.flag_under_age, name="under_age"),
    path(
        "applications/<uuid:pk>/review-answers/",
        applications.review_answers,
        name="answers_reviewed",
    ),
    path("applications/<uuid:pk>/interviews/new/", interviews.schedule, name="interview_schedule"),
    path("interviews/", interviews.my_interviews, name="my_interviews"),
    path("interviews/feed-link/", interviews.feed_link, name="interview_feed_link"),
    path("interviews/<uuid:pk>/edit/", interviews.edit, name="interview_edit"),
    path("interviews/<uuid:pk>/cancel/", interviews.cancel, name="interview_cancel"),
    # A calendar app fetches this without a session: the secret token is the credential.
    path("calendar/<str:token>.ics", interviews.feed, name="interview_feed"),
    path("notes/<uuid:pk>/edit/", applications.edit_note, name="note_edit"),
    path("notes/<uuid:pk>/delete/", applications.delete_note, name="note_delete"),
    # Issue 20: messages to candidates, their templates, and staff notifications.
    path("applications/<uuid:pk>/message/", messaging.compose, name="application_message"),
    path("postings/<int:pk>/message/", messaging.bulk, name="bulk_message"),
    path("message-templates/", messaging.template_list, name="message_templates"),
    path("message-templates/new/", messaging.template_edit, name="message_template_new"),
    path("message-templates/<int:pk>/", messaging.template_edit, name="message_template_edit"),
    path("notifications/", messaging.notification_settings, name="notifications"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.csv", audit.audit_log_csv, name="audit_log_csv"),
    path("retention/", retention.overview, name="retention"),
    path("applications/<uuid:pk>/hold/", retention.place_hold, name="hold_place"),
    path("applications/<uuid:pk>/exports/", exports.candidate_exports, name="application_exports"),
    path("applications/<uuid:pk>/export/", exports.produce, name="application_export"),
    path(
        "applications/<uuid:pk>/exports/<uuid:export_id>/",
        exports.download,
        name="export_download",
    ),
    path("exports/review/", exports.review_queue, name="export_reviews"),
    path("exports/<uuid:export_id>/review/", exports.review, name="export_review"),
    path(
        "exports/<uuid:export_id>/review/passage/",
        exports.review_passage,
        name="export_review_passage",
    ),
    path("exports/<uuid:export_id>/release/", exports.release, name="export_release"),
    path("holds/<int:pk>/lift/", retention.lift_hold, name="hold_lift"),
    path("requests/", requests.request_queue, name="requests"),
    path("requests/new/", requests.new_request, name="request_new"),
    path("requests/<uuid:pk>/", requests.request_detail, name="request"),
    path("requests/<uuid:pk>/assign/", requests.assign, name="request_assign"),
    path("requests/<uuid:pk>/extend/", requests.extend, name="request_extend"),
    path("requests/<uuid:pk>/resolve/", requests.resolve, name="request_resolve"),
    path("pool/", include("recruitment.pool.urls")),
    path("privacy-texts/", privacy_texts.overview, name="privacy_texts"),
    path("privacy-texts/notice/", privacy_texts.publish_notice, name="privacy_notice_publish"),
    path(
        "privacy-texts/consent/",
        privacy_texts.publish_consent_text,
        name="privacy_consent_publish",
    ),
]
