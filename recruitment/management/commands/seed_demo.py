"""`python manage.py seed_demo`: demo postings and staff accounts for `make run`.

Idempotent: postings are matched by slug and staff by username; passwords are reset to the
printed demo values on every run so what it prints always works. Refuses to run unless
ATS_DEMO_MODE is on, so a production database never gets accounts with published passwords.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from recruitment.models import Posting

DEMO_STAFF = [
    # username, password, superuser
    ("admin", "demo-admin-2026", True),
    ("recruiter", "demo-recruiter-2026", False),
]

DEMO_POSTINGS: list[dict[str, Any]] = [
    {
        "slug": "senior-python-developer",
        "title": "Senior Python Developer",
        "location": "Mostar, Bosnia and Herzegovina (hybrid)",
        "employment_type": Posting.EmploymentType.FULL_TIME,
        "summary": "Build the Django services behind our clients' operations platforms.",
        "description": (
            "You will design, build and run Django and Celery services for our clients.\n\n"
            "We look for five or more years of Python, solid SQL, and care for privacy "
            "and security. You will work in a small team that reviews every change."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 2,
    },
    {
        "slug": "devops-engineer",
        "title": "DevOps Engineer",
        "location": "Belgrade, Serbia",
        "employment_type": Posting.EmploymentType.FULL_TIME,
        "summary": "Keep our Linux, PostgreSQL and object-storage platforms fast and boring.",
        "description": (
            "You will automate infrastructure, run PostgreSQL and S3-compatible storage, "
            "and be on a fair on-call rotation.\n\nExperience with Linux and scripting required."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 5,
    },
    {
        "slug": "qa-intern",
        "title": "QA Intern",
        "location": "Mostar, Bosnia and Herzegovina",
        "employment_type": Posting.EmploymentType.INTERNSHIP,
        "summary": "Learn testing on real products with a mentor, six months, paid.",
        "description": (
            "A paid six-month internship: you will write automated tests and learn how we "
            "ship software.\n\nStudents in their final year are welcome."
        ),
        "status": Posting.Status.OPEN,
        "age_days": 9,
    },
    {
        "slug": "office-manager",
        "title": "Office Manager (part-time)",
        "location": "Belgrade, Serbia",
        "employment_type": Posting.EmploymentType.PART_TIME,
        "summary": "Run our Belgrade office twenty hours a week.",
        "description": "Organise the office, suppliers and visitors, twenty hours a week.",
        "status": Posting.Status.CLOSED,
        "age_days": 40,
    },
    {
        "slug": "data-engineer-draft",
        "title": "Data Engineer",
        "location": "Remote",
        "employment_type": Posting.EmploymentType.CONTRACT,
        "summary": "Draft: not yet published.",
        "description": "Still being written.",
        "status": Posting.Status.DRAFT,
        "age_days": 0,
    },
]


class Command(BaseCommand):
    help = "Create demo postings and staff accounts (idempotent; needs ATS_DEMO_MODE=true)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Refusing to create demo accounts: set ATS_DEMO_MODE=true.")
        now = timezone.now()
        for spec in DEMO_POSTINGS:
            values = {k: v for k, v in spec.items() if k not in {"slug", "age_days"}}
            published = spec["status"] != Posting.Status.DRAFT
            values["published_at"] = now - timedelta(days=spec["age_days"]) if published else None
            values["closed_at"] = now if spec["status"] == Posting.Status.CLOSED else None
            Posting.objects.update_or_create(slug=spec["slug"], defaults=values)

        user_model = get_user_model()
        for username, password, superuser in DEMO_STAFF:
            user, _ = user_model.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()

        open_count = Posting.objects.filter(status=Posting.Status.OPEN).count()
        self.stdout.write(f"Demo data ready: {open_count} open postings.")
        self.stdout.write("Staff accounts (log in at /admin/):")
        for username, password, _superuser in DEMO_STAFF:
            self.stdout.write(f"  {username} / {password}")
