"""`python manage.py demo_totp USERNAME`: the current second-factor code of a demo account.

Demo mode only (ATS_DEMO_MODE, which production settings refuse): it reads the account's
TOTP secret, which outside the demo is known only to the person's authenticator app.
Read-only.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recruitment.accounts.codes import current_code, seconds_left


class Command(BaseCommand):
    help = "Print a demo account's current second-factor code (needs ATS_DEMO_MODE=true)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Refusing to read second-factor secrets: set ATS_DEMO_MODE=true.")
        username = options["username"]
        authenticator = Authenticator.objects.filter(
            user__username=username, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            known = get_user_model().objects.filter(username=username).exists()
            raise CommandError(
                f"{username} has no authenticator app set up."
                if known
                else f"No staff account is called {username}."
            )
        code = current_code(decrypt(authenticator.data["secret"]))
        self.stdout.write(f"{code}  (valid for {seconds_left()} more seconds)")
