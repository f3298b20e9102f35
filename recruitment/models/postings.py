"""Postings and their teams. No candidate personal data here."""

from datetime import datetime
from decimal import Decimal

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostingQuerySet(models.QuerySet["Posting"]):
    def accepting_applications(self, now: datetime) -> "PostingQuerySet":
        """Postings that take applications at `now`: open, not concluded, and not past their
        closing time, even before the beat task closes them (Posting.accepts_applications
        says the same for one row)."""
        return self.filter(status=Posting.Status.OPEN, concluded_at__isnull=True).exclude(
            valid_through__lte=now
        )


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

    class SalaryPeriod(models.TextChoices):
        HOUR = "hour", _("per hour")
        DAY = "day", _("per day")
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    class Workplace(models.TextChoices):
        ON_SITE = "on_site", _("On-site")
        HYBRID = "hybrid", _("Hybrid (on-site and remote)")
        REMOTE = "remote", _("Remote")

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
    # Where the work is done, as job boards ask (schema.org jobLocationType, and the countries
    # a remote applicant must be in: applicantLocationRequirements).
    workplace = models.CharField(
        _("workplace"), max_length=10, choices=Workplace.choices, default=Workplace.ON_SITE
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_(
            "Two-letter ISO code of the country of the location, e.g. RS. "
            "Empty: the employer's country."
        ),
    )
    remote_countries = models.JSONField(
        _("countries remote applicants must be in"), default=list, blank=True
    )
    # After this moment the posting takes no application, and the beat task closes it.
    valid_through = models.DateTimeField(_("applications close at"), null=True, blank=True)
    salary_min = models.DecimalField(
        _("salary from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    salary_max = models.DecimalField(
        _("salary up to"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    salary_currency = models.CharField(
        _("salary currency"),
        max_length=3,
        blank=True,
        help_text=_("Three-letter ISO 4217 code, e.g. EUR, BAM, RSD."),
    )
    salary_period = models.CharField(
        _("salary period"), max_length=10, choices=SalaryPeriod.choices, blank=True
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
    # The fingerprint of the questions the posting asks now (recruitment.questions.services
    # writes it with every change, under the posting's lock; "" when it asks none). The
    # application form carries the one it showed, and the application's transaction reads
    # this with its gate: answers are stored only against the questions the candidate saw.
    questions_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="posting_published_has_published_at",
            ),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_min__lte=models.F("salary_max")),
                name="posting_salary_min_not_above_max",
            ),
            # An amount means nothing without its currency and period; neither without one.
            models.CheckConstraint(
                condition=(
                    Q(salary_min__isnull=True, salary_max__isnull=True)
                    & Q(salary_currency="", salary_period="")
                )
                | (
                    (Q(salary_min__isnull=False) | Q(salary_max__isnull=False))
                    & ~Q(salary_currency="")
                    & ~Q(salary_period="")
                ),
                name="posting_salary_has_currency_and_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # A published posting always has its publication time (the check constraint insists).
        if self.status != self.Status.DRAFT and self.published_at is None:
            self.published_at = timezone.now()
        errors: dict[str, list[ValidationError]] = {}
        self._clean_salary(errors)
        self._clean_workplace(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_salary(self, errors: dict[str, list[ValidationError]]) -> None:
        self.salary_currency = (self.salary_currency or "").strip().upper()
        amounts = self.salary_min is not None or self.salary_max is not None
        if self.salary_currency and pycountry.currencies.get(alpha_3=self.salary_currency) is None:
            errors.setdefault("salary_currency", []).append(
                ValidationError(
                    _("“%(code)s” is not an ISO 4217 currency code (e.g. EUR, BAM, RSD)."),
                    code="currency",
                    params={"code": self.salary_currency},
                )
            )
        if amounts and not self.salary_currency:
            errors.setdefault("salary_currency", []).append(
                ValidationError(_("A salary needs its currency."), code="currency_required")
            )
        if amounts and not self.salary_period:
            errors.setdefault("salary_period", []).append(
                ValidationError(
                    _("Say whether the salary is per hour, day, week, month or year."),
                    code="period_required",
                )
            )
        if not amounts and (self.salary_currency or self.salary_period):
            errors.setdefault("salary_min", []).append(
                ValidationError(
                    _("Enter the salary, or leave its currency and period empty."),
                    code="amount_required",
                )
            )
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            errors.setdefault("salary_max", []).append(
                ValidationError(
                    _("The upper end of the salary cannot be below its lower end."),
                    code="salary_range",
                )
            )

    def _clean_workplace(self, errors: dict[str, list[ValidationError]]) -> None:
        self.country = (self.country or "").strip().upper()
        if self.country and pycountry.countries.get(alpha_2=self.country) is None:
            errors.setdefault("country", []).append(
                ValidationError(
                    _("“%(code)s” is not a two-letter ISO country code (e.g. RS, BA, HR)."),
                    code="country",
                    params={"code": self.country},
                )
            )
        codes = [str(code).strip().upper() for code in self.remote_countries or []]
        unknown = [code for code in codes if pycountry.countries.get(alpha_2=code) is None]
        if unknown:
            errors.setdefault("remote_countries", []).append(
                ValidationError(
                    _("Not two-letter ISO country codes: %(codes)s."),
                    code="country",
                    params={"codes": ", ".join(unknown)},
                )
            )
        if self.workplace == self.Workplace.REMOTE and not codes:
            errors.setdefault("remote_countries", []).append(
                ValidationError(
                    _("Name the countries remote applicants must be in (job boards require it)."),
                    code="remote_countries_required",
                )
            )
        if self.workplace == self.Workplace.ON_SITE and codes:
            errors.setdefault("remote_countries", []).append(
                ValidationError(
                    _("Only a remote or hybrid posting has countries for remote applicants."),
                    code="remote_countries_on_site",
                )
            )
        self.remote_countries = list(dict.fromkeys(codes))

    def is_expired(self, now: datetime | None = None) -> bool:
        """Its closing time (valid_through) has passed, whether or not it was closed yet."""
        return self.valid_through is not None and self.valid_through <= (now or timezone.now())

    @property
    def accepts_applications(self) -> bool:
        # Past its closing time a posting takes nothing, even before the beat task closes it.
        return (
            self.status == self.Status.OPEN and self.concluded_at is None and not self.is_expired()
        )


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
