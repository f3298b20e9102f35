"""Django admin, registered deliberately.

Postings and teams hold no candidate data and are editable by staff with model permissions.
Candidate data is day-to-day reached through the recruiter workspace, where access is scoped
and audited; in the admin only superusers may see it, read-only, through the Application
page, and every such view is written to the audit log. Candidates, notes, CVs, consents and
emails have no admin pages of their own, so there is no unaudited way in. Users and groups
keep Django's default admin.

Lists filter only by what they declare (`list_filter`, `date_hierarchy`): Django's own
`lookup_allowed` lets any query string filter on any local field, so
`?cover_letter__icontains=...` would search candidate data through a page that shows none of
it. Every search or filter of a list of candidate data is written to the audit log too.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.filters import FieldListFilter, ListFilter, SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ats.client_address import client_ip
from recruitment.access import Actor, is_admin
from recruitment.accounts import admin as accounts_admin  # noqa: F401  (registers user admin)
from recruitment.audit.services import record_access
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

# --- Every list: declared filters only ------------------------------------------------------


class DeclaredFiltersOnly(admin.ModelAdmin):
    """A list filters by the parameters its declared filters read, and by nothing else.

    Any other parameter (`?cover_letter__icontains=...`, `?posting__title=...`) is refused
    with Django's DisallowedModelAdminLookup: a 400, logged by the parameter's name only.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Django has passed the request since 5.0; without one, nothing is declared.
        return request is not None and lookup in self.declared_lookups(request)

    def declared_lookups(self, request: HttpRequest) -> set[str]:
        """The query-string parameters of the declared filters, asked of the filters
        themselves (a filter on a relation reads its choices: one query)."""
        lookups: set[str] = set()
        item: Any
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                lookups.add(str(item.parameter_name))
                continue
            path, make_filter = (
                item if isinstance(item, (list, tuple)) else (item, FieldListFilter.create)
            )
            field = get_fields_from_path(self.model, path)[-1]
            spec: ListFilter = make_filter(field, request, {}, self.model, self, field_path=path)
            lookups.update(name for name in spec.expected_parameters() or () if name)
        if self.date_hierarchy:
            lookups.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return lookups


class AuditedSearches(admin.ModelAdmin):
    """Writes an audit row each time a list of candidate data is searched or filtered.

    The row says who searched which list, and when; it keeps neither the search text nor
    the filter values. The text is whatever was typed into the box, a candidate's name
    perhaps, and the audit log holds no candidate personal data: it outlives the purge
    (PRIVACY.md P6, P9).
    """

    search_audit_action: str

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The list. Side effect: one search audit row when it is about to be shown
        searched or filtered (it is rendered only after the row is written). Refused
        parameters (400) and bad values (Django's redirect to `?e=1`) show nothing and
        write nothing."""
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and response.status_code == 200:
            changelist = (response.context_data or {}).get("cl")
            # Every parameter left once paging, ordering and the like are set aside is a
            # declared filter (DeclaredFiltersOnly refused the rest), a date drill-down too.
            if changelist is not None and (changelist.query or changelist.get_filters_params()):
                record_access(
                    actor=Actor(user=request.user, client_ip=client_ip(request)),  # type: ignore[arg-type]
                    action=self.search_audit_action,
                )
        return response


# --- Postings and teams (no candidate data) ---------------------------------------------------


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Posting)
class PostingAdmin(DeclaredFiltersOnly):
    list_display = [
        "title",
        "status",
        "location",
        "employment_type",
        "published_at",
        "valid_through",
        "concluded_at",
    ]
    list_filter = ["status", "employment_type", "workplace", "concluded_at"]
    search_fields = ["title", "location"]
    prepopulated_fields = {"slug": ["title"]}
    # Concluding starts the purge: it is done through the workspace's service, never here.
    readonly_fields = ["concluded_at", "concluded_by", "created_at", "updated_at"]
    inlines = [TeamMembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(DeclaredFiltersOnly):
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
class ApplicationAdmin(SuperuserReadOnly, AuditedSearches, DeclaredFiltersOnly, admin.ModelAdmin):
    search_audit_action = AccessEvent.Action.ADMIN_SEARCH_APPLICATIONS
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
class AccessEventAdmin(SuperuserReadOnly, AuditedSearches, DeclaredFiltersOnly, admin.ModelAdmin):
    search_audit_action = AccessEvent.Action.ADMIN_SEARCH_AUDIT_LOG
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
