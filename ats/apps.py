from django.apps import AppConfig


class AtsConfig(AppConfig):
    """The project's cross-cutting code (no models): installed first, so what it registers
    is in place before any domain app is ready."""

    name = "ats"

    def ready(self) -> None:
        from ats import lookups

        lookups.register()
