"""Django admin: postings only. Candidate data is reached through the recruiter workspace,
where every access is scoped and audited, never through the admin."""

from django.contrib import admin

from recruitment.models import Posting


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "location", "employment_type", "published_at"]
    list_filter = ["status", "employment_type"]
    search_fields = ["title", "location"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["concluded_at", "created_at", "updated_at"]
