"""Django admin, registered deliberately.

Postings and teams hold no candidate data and are editable by staff with model permissions.
Candidate data is day-to-day reached through the recruiter workspace, where access is scoped
and audited; in the admin only superusers may see it, read-only, through the Application
page, and every such view is written to the audit log. Candidates, notes, CVs, consents and
emails have no admin pages of their own, so there is no unaudited way in. Users and groups
keep Django's default admin.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from recruitment.access import Actor, is_admin
from recruitment.audit import record_access
from recruitment.client_address import client_ip
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    CurriculumVitae,
    InterviewNote,
    Posting,
    RetentionConsent,
    TeamMembership,
)

# --- Postings and teams (no candidate data) ---------------------------------------------------


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "location",
        "employment_type",
        "published_at",
        "concluded_at",
    ]
    list_filter = ["status", "employment_type", "concluded_at"]
    search_fields = ["title", "location"]
    prepopulated_fields = {"slug": ["title"]}
    # Concluding starts the purge: it is done through the workspace's service, never here.
    readonly_fields = ["concluded_at", "concluded_by", "created_at", "updated_at"]
    inlines = [TeamMembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["posting", "user", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["posting", "user"]
    search_fields = ["posting__title", "user__username"]
    autocomplete_fields = ["posting", "user"]


# --- Read-only, superuser-only --------------------------------------------------------------


class SuperuserReadOnly:
    """Only superusers may look; nobody may add, change or delete (services do that)."""

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(SuperuserReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class CurriculumVitaeInline(ReadOnlyInline):
    # What the file is, never the file: no storage key and no download link.
    model = CurriculumVitae
    fields = readonly_fields = ("original_filename", "content_type", "size", "created_at")


class InterviewNoteInline(ReadOnlyInline):
    model = InterviewNote
    fields = readonly_fields = ("kind", "body", "rating", "scorecard", "author", "created_at")


class RetentionConsentInline(ReadOnlyInline):
    model = RetentionConsent
    fields = readonly_fields = (
        "scope",
        "channel",
        "language",
        "given_at",
        "expires_at",
        "withdrawn_at",
    )


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = readonly_fields = ("kind", "from_stage", "to_stage", "actor", "reason", "created_at")


@admin.register(Application)
class ApplicationAdmin(SuperuserReadOnly, admin.ModelAdmin):
    # The list names no candidate: only the audited detail page shows who applied.
    list_display = ["id", "posting", "stage", "created_at"]
    list_filter = ["stage", "posting"]
    list_select_related = ["posting"]
    search_fields = ["=id"]
    fieldsets = [
        (_("Candidate"), {"fields": ["candidate_name", "candidate_email", "candidate_phone"]}),
        (
            _("Application"),
            {
                "fields": [
                    "id",
                    "posting",
                    "stage",
                    "language",
                    "attested_min_age",
                    "cover_letter",
                    "decided_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    readonly_fields = [
        "candidate_name",
        "candidate_email",
        "candidate_phone",
        "id",
        "created_at",
        "updated_at",
    ]
    inlines = [
        CurriculumVitaeInline,
        InterviewNoteInline,
        RetentionConsentInline,
        ApplicationEventInline,
    ]

    @admin.display(description=_("full name"))
    def candidate_name(self, application: Application) -> str:
        # The name typed into this application (recruitment.models.Application.full_name).
        return application.full_name

    @admin.display(description=_("email"))
    def candidate_email(self, application: Application) -> str:
        return application.candidate.email

    @admin.display(description=_("phone"))
    def candidate_phone(self, application: Application) -> str:
        return application.phone

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Shows one application read-only. Side effect: one ADMIN_VIEW audit row each time
        the page is about to be shown (it is rendered only after the row is written)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if not (isinstance(response, TemplateResponse) and response.status_code == 200):
            return response  # a redirect (no such application) or an error: nothing shown
        application = (response.context_data or {}).get("original")
        if isinstance(application, Application):
            record_access(
                actor=Actor(user=request.user, client_ip=client_ip(request)),  # type: ignore[arg-type]
                action=AccessEvent.Action.ADMIN_VIEW,
                application_id=application.pk,
                posting_id=application.posting_id,
            )
        return response


@admin.register(AccessEvent)
class AccessEventAdmin(SuperuserReadOnly, admin.ModelAdmin):
    # Privacy officers read the log in the workspace (filters, export); the admin is for admins.
    list_display = [
        "created_at",
        "actor_username",
        "action",
        "posting_id",
        "application_id",
        "client_ip",
    ]
    list_filter = ["action"]
    search_fields = ["actor_username"]
    date_hierarchy = "created_at"
