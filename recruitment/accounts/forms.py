"""The second-factor step of signing in, under django-axes' lockout.

Wrong codes are counted by axes with wrong passwords (`receivers.count_failed_code`), so five
failures of either kind lock the account and the address for ATS_LOGIN_LOCKOUT_HOURS; once
locked, this form checks no code at all, and the request gets axes' lockout page.
"""

from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.utils.translation import gettext_lazy as _


class AuthenticateForm(AllauthAuthenticateForm):
    """allauth's code form, refused outright while axes has the account locked."""

    def clean_code(self) -> Any:
        request = context.request
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            # AxesMiddleware answers the request with the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise forms.ValidationError(_("Too many failed attempts. Try again later."))
        return super().clean_code()
