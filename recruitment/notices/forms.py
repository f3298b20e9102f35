"""Forms of the notice and consent text pages: validation only; the service checks times and
numbers."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy


def _effective_at_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=gettext_lazy("Takes effect"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty to publish it at once. Never in the past."),
    )


class PublishNoticeForm(forms.Form):
    effective_at = _effective_at_field()
    change_summary = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For the record: why this version, and what differs."),
        error_messages={"required": gettext_lazy("Say what changed in this version.")},
    )


class PublishConsentTextForm(forms.Form):
    effective_at = _effective_at_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The cap is configuration, read per form rather than at import.
        self.fields["months"] = forms.IntegerField(
            label=gettext_lazy("Consents last (months)"),
            min_value=1,
            max_value=settings.TALENT_POOL_CONSENT_MAX_MONTHS,
            initial=settings.TALENT_POOL_CONSENT_MONTHS,
        )


class PreviewForm(forms.Form):
    """The duration to preview the consent text for (GET); invalid: the configured default."""

    months = forms.IntegerField(min_value=1, required=False)

    def months_or_default(self) -> int:
        if self.is_valid() and self.cleaned_data["months"]:
            return min(self.cleaned_data["months"], settings.TALENT_POOL_CONSENT_MAX_MONTHS)
        return int(settings.TALENT_POOL_CONSENT_MONTHS)
