from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ats import lookups
        from ats.middleware import start_session_clocks

        lookups.register()
        # Auth plumbing, not business logic: a signed-in session's clocks start at sign-in.
        user_logged_in.connect(start_session_clocks, dispatch_uid="ats.start_session_clocks")
