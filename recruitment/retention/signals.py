"""Signals retention sends, so that the domains above it can act on what the purge did without
retention importing them (the layers in pyproject's import-linter contracts)."""

from django.dispatch import Signal

# Sent by the purge inside its transaction, after it closed a person's open data-subject
# requests as ERASED_UNANSWERED; arguments `requests` (those requests: id, kind and due dates
# loaded) and `now`. A receiver that raises rolls the purge back (`send`, not `send_robust`):
# the officers' alert is part of what the purge must do (PRIVACY.md P16).
requests_erased_unanswered = Signal()
