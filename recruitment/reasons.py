"""The words for the reason codes the erasure ledger stores (`retention.Reason`).

The ledger keeps the code (it is hashed into the chain and never changes); staff pages show
these words, in the reader's language. Every code needs its words here.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recruitment.services.retention import Reason

ERASURE_REASONS: dict[str, Promise] = {
    Reason.PROCESS_CONCLUDED: _("Process concluded"),
    Reason.CONSENT_ENDED: _("Consent ended"),
    Reason.UNDER_AGE: _("Under the minimum age"),
    Reason.ERASURE_REQUESTED: _("Erasure requested by the candidate"),
    Reason.HIRED_RETENTION_ENDED: _("Hired, hand-over period ended"),
}


def erasure_reason_label(code: str) -> str:
    """The words for a ledger reason code; a code without words is shown as it is."""
    label = ERASURE_REASONS.get(code)
    return str(label) if label is not None else code
