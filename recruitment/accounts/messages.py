"""allauth's own messages that staff can meet on the sign-in and second-factor pages, marked
here so that `make messages` puts them in the project's catalogues: allauth ships no Bosnian,
and the project's catalogues (LOCALE_PATHS) take precedence over an app's. Never imported;
only read by makemessages.
"""

from django.utils.translation import gettext_noop

ALLAUTH_MESSAGES = (
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Please type your current password."),
    gettext_noop("You cannot deactivate two-factor authentication."),
)
