"""Invitations from the talent pool to apply to an open posting (issue 19).

Personal data: that this person was contacted, about which posting, when and by whom. An
invitation belongs to its person: it is in their data export, and it is erased with them
(when their last application goes), like a consent given in the portal. One that led to an
application is erased with that application too: from then on it is part of its story.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application, Candidate
from recruitment.models.postings import Posting


class Invitation(models.Model):
    """A person of the talent pool invited to apply to `posting`.

    The email's link carries a random token minted at delivery (only its SHA-256 is stored,
    as for portal links); it leads to the posting's form until the person applies through
    it or it expires. The person applies themselves, under the notice then in effect.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="invitations")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="invitations")
    # Kept as a name when the account goes, like the audit log's actor.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_by_username = models.CharField(max_length=150)
    # The person's language: the email's, chosen from their latest application.
    language = models.CharField(_("language"), max_length=12)
    created_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("link valid until"))
    # Set by the outbox at delivery; a later delivery (a retry) replaces it.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The application the person made through the link.
    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One invitation per person and posting: a second would be a reminder, which
            # nobody agreed to.
            models.UniqueConstraint(
                fields=["candidate", "posting"], name="one_invitation_per_posting"
            )
        ]
        indexes = [models.Index(fields=["candidate", "created_at"], name="invitation_recent")]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"
