"""Template context shared by every candidate-facing page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def controller(request: HttpRequest) -> dict[str, Any]:
    """The data controller's identity: shown in every page footer (PRIVACY.md P19)."""
    return {"controller": settings.CONTROLLER}
