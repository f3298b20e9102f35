"""Data the benchmarks share: a posting with only the fields the product requires."""

import re
import time
from typing import Any

from django.utils import timezone

from recruitment.models import Posting


def bench_posting(title: str, **fields: Any) -> Posting:
    """An open, published posting titled `title` under a unique slug; `fields` override
    (e.g. status="closed", concluded_at=...)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    values: dict[str, Any] = {
        "title": title,
        "slug": f"{slug}-{time.monotonic_ns()}",
        "summary": "s",
        "description": "d",
        "location": "l",
        "employment_type": "full_time",
        "status": "open",
        "published_at": timezone.now(),
        **fields,
    }
    return Posting.objects.create(**values)
