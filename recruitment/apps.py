from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ats import lookups

        lookups.register()
