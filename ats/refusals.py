"""The one exception every service raises when it declines to act.

A refusal is not a failure: the service checked the request against the current state,
found it cannot be done (a closed posting, an erased person, a consent already given), and
changed nothing. Its `message` says why in words fit to show the person who asked (it may
be a lazy translation); views catch the service's own subclass and show it. Infrastructure
errors (the database, storage, the broker) are never refusals.
"""


class ServiceRefused(Exception):
    """The request was refused and nothing was written; `message` says why, for the user."""

    def __init__(self, message: object = "") -> None:
        super().__init__(str(message))
        self.message = message
