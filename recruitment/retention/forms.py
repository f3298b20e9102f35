"""Forms of the retention pages: validation only. Services do the writing."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The statutory obligation or legal interest that requires keeping this application. "
            "Shown to the candidate in their data export."
        ),
    )
    review_at = forms.DateField(
        label=gettext_lazy("Review on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("When to check whether the hold is still needed."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext_lazy("Give the reason for the hold."))
        return reason

    def clean_review_at(self) -> date:
        review_at: date = self.cleaned_data["review_at"]
        if review_at < timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The review date must be today or later."))
        return review_at
