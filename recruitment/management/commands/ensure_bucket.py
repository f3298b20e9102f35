"""`python manage.py ensure_bucket`: create the CV bucket if it is missing (rerun-safe)."""

from typing import Any

from django.core.management.base import BaseCommand

from recruitment.cvs import storage


class Command(BaseCommand):
    help = "Create the private CV bucket if it does not exist."

    def handle(self, *args: Any, **options: Any) -> None:
        created = storage.ensure_bucket()
        self.stdout.write("Bucket created." if created else "Bucket already exists.")
