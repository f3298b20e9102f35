"""Second factors in the Django admin: an audited reset on the user list, nothing else.

allauth registers its Authenticator model in the admin, where deleting a row would reset
someone's second factor with no audit entry; that page is removed, and the reset is an action
on the user list that goes through `services.reset_second_factor`. Imported by
`recruitment.admin` (Django discovers only an app's top-level admin module).
"""

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ats.client_address import client_ip
from recruitment.access import Actor, is_admin
from recruitment.accounts.services import ResetRefused, reset_second_factor

if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.display(boolean=True, description=_("Second factor"))
def has_second_factor(user: User) -> bool:
    return any(
        authenticator.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
        for authenticator in user.authenticator_set.all()  # type: ignore[attr-defined]
    )


class StaffUserAdmin(UserAdmin):
    """Django's user admin, plus whether each person has a second factor and a reset."""

    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        has_second_factor,
    )
    actions = ["reset_second_factors"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("authenticator_set")

    def has_reset_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    @admin.action(permissions=["reset"], description=_("Reset second factor"))
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = Actor(user=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
        done = 0
        for user in queryset:
            try:
                reset_second_factor(actor=actor, user=user)
            except ResetRefused:
                self.message_user(
                    request,
                    _("Your own second factor is managed on your security page, not here."),
                    messages.WARNING,
                )
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Second factor reset for %(count)d person: they are signed out everywhere"
                    " and set up a new one at their next sign-in.",
                    "Second factor reset for %(count)d people: they are signed out everywhere"
                    " and set up a new one at their next sign-in.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )


admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
