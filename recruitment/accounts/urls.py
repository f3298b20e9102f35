"""Sign-in, sign-out and second-factor pages under /staff/ (django-allauth's views).

Mounted before the workspace's own URLs. allauth's pages that do not fit a staff workspace
keep their names (allauth reverses some of them) but answer 404: admins create accounts and
set passwords, so there is no sign-up, no password reset by email, no extra email address,
no sign-in by emailed code, and no passwordless passkey sign-in (a key is a second factor
here, after the password).
"""

from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver

from recruitment.accounts import views

NOT_OFFERED = frozenset(
    {
        "account_signup",
        "account_signup_by_passkey",
        "account_email",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_change_password",
        "account_set_password",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_confirm_password_reset_code",
        "account_complete_password_reset",
        "account_password_reset_completed",
        "account_request_login_code",
        "account_confirm_login_code",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "mfa_login_webauthn",
        "mfa_signup_webauthn",
    }
)


def _offered(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """allauth's patterns, with the views of NOT_OFFERED names replaced by a 404."""
    result: list[URLPattern | URLResolver] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            result.append(
                URLResolver(
                    entry.pattern,
                    _offered(entry.url_patterns),
                    entry.default_kwargs,
                    entry.app_name,
                    entry.namespace,
                )
            )
        elif entry.name in NOT_OFFERED:
            result.append(URLPattern(entry.pattern, views.not_offered, name=entry.name))
        else:
            result.append(entry)
    return result


urlpatterns = _offered(allauth_urls.urlpatterns)
