from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth.signals import user_logged_in

        from ats.middleware import start_session_clocks
        from recruitment.accounts import receivers
        from recruitment.retention import signals as retention_signals
        from recruitment.rights import receivers as rights_receivers

        # Auth plumbing, not business logic: a signed-in session's clocks start at sign-in.
        user_logged_in.connect(start_session_clocks, dispatch_uid="ats.start_session_clocks")
        # Which sessions passed the second factor, and wrong codes counted by django-axes.
        user_logged_in.connect(receivers.verify_on_login, dispatch_uid="ats.verify_on_login")
        mfa_signals.authenticator_used.connect(
            receivers.verify_on_use, dispatch_uid="ats.verify_on_use"
        )
        mfa_signals.authenticator_added.connect(
            receivers.verify_on_enrolment, dispatch_uid="ats.verify_on_enrolment"
        )
        mfa_signals.authentication_failed.connect(
            receivers.count_failed_code, dispatch_uid="ats.count_failed_code"
        )
        # Retention lies below rights: the purge signals what rights must act on.
        retention_signals.requests_erased_unanswered.connect(
            rights_receivers.alert_officers_of_erased_requests,
            dispatch_uid="recruitment.alert_officers_of_erased_requests",
        )
