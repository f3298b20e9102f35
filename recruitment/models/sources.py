"""Where applications come from: the allow-list of tracked sources. No personal data here.

A source is a channel, never a person: "LinkedIn", "Job fair", "Referral". A referral records
only that it was a referral, never who referred. The public form takes a source from the
posting link's `?source=` or `utm_source=` when it names an active source of this list (else
the careers site); staff pick one when they record an application received elsewhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The source of every application that names no other (and of every application received
# before sources were recorded). Seeded by the migration; it cannot be deactivated.
CAREERS_SITE = "careers"
# The source of an application made through an invitation from the talent pool: set by the
# invitation's flow only (a posting link cannot name it, staff cannot record it).
TALENT_POOL = "talent-pool"


class Source(models.Model):
    """A tracked source. The slug is its identity (in posting links, on applications and in
    the anonymous statistics): it never changes once created; the name and kind may."""

    class Kind(models.TextChoices):
        CAREERS_SITE = "careers_site", _("Careers site")
        EMAIL = "email", _("Email")
        JOB_FAIR = "job_fair", _("Job fair")
        REFERRAL = "referral", _("Referral")
        PLATFORM = "platform", _("Recruitment platform")
        OTHER = "other", _("Other")
        # A person of the talent pool applied through an invitation (recruitment.pool).
        TALENT_POOL = "talent_pool", _("Talent pool invitation")

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Inactive: a posting link naming it counts as the careers site, staff cannot pick it;
    # applications and statistics that name it keep it.
    active = models.BooleanField(_("active"), default=True)
    # Seeded by the migration: its name is shown translated (the kind's label).
    builtin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-builtin", "name"]
        verbose_name = _("application source")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the source reads to people, in the active language: a built-in source by its
        kind ("Job fair"), one staff added by its kind and name ("Recruitment platform:
        LinkedIn")."""
        kind = str(self.Kind(self.kind).label)
        if self.builtin:
            return kind
        return f"{kind}: {self.name}"
