"""Forms of the candidate privacy portal: validation only. Services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from recruitment.careers.forms import CheckedCvForm, cv_input, phone_validator
from recruitment.models import DataSubjectRequest


class RequestLinkForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class DetailsForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone (optional)"), max_length=40, required=False, validators=[phone_validator]
    )

    def clean_full_name(self) -> str:
        name: str = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_phone(self) -> str:
        return str(self.cleaned_data.get("phone", "")).strip()


class ReplaceCvForm(CheckedCvForm):
    cv = forms.FileField(label=_("New CV"), widget=cv_input())


class PrivacyRequestForm(forms.Form):
    """Restriction or objection: both go to the privacy officer."""

    kind = forms.ChoiceField(
        label=_("What would you like?"),
        widget=forms.RadioSelect,
        choices=[
            (
                DataSubjectRequest.Kind.RESTRICTION,
                _("Restrict processing: freeze my applications while my request is handled"),
            ),
            (
                DataSubjectRequest.Kind.OBJECTION,
                _("Object to the processing of my personal data"),
            ),
        ],
    )
    details = forms.CharField(
        label=_("Tell us why (optional)"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": "2000"}),
        max_length=2000,
        required=False,
    )


class ConfirmErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that all my applications and my CV will be deleted for good."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )


class ConsentForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("give", "give"), ("confirm", "confirm"), ("withdraw", "withdraw")]
    )
    # The consent to confirm (action "confirm"): one ticked on an application form.
    consent = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # The consent text version the page showed (empty: the one in effect); the service
    # checks it is in effect.
    consent_text_version = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )
