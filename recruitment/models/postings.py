"""Postings and their teams. No candidate personal data here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Posting(models.Model):
    """A job opening. Holds no personal data."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")
        CONTRACT = "contract", _("Contract")
        INTERNSHIP = "internship", _("Internship")
        TEMPORARY = "temporary", _("Temporary")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.CharField(_("short summary"), max_length=300)
    description = models.TextField(_("description"))
    location = models.CharField(_("location"), max_length=200)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The recruitment process formally concluded: the moment retention starts counting.
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="posting_published_has_published_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A published posting always has its publication time (the check constraint insists).
        if self.status != self.Status.DRAFT and self.published_at is None:
            self.published_at = timezone.now()

    @property
    def accepts_applications(self) -> bool:
        return self.status == self.Status.OPEN and self.concluded_at is None


class TeamMembership(models.Model):
    """A staff member's role on one posting. Access to a posting's data follows from this."""

    class Role(models.TextChoices):
        RECRUITER = "recruiter", _("Recruiter")
        HIRING_MANAGER = "hiring_manager", _("Hiring manager")
        INTERVIEWER = "interviewer", _("Interviewer")

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["posting", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "user"], name="one_role_per_user_and_posting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.posting}"
