"""Forms of the candidate privacy portal and of the staff pages for data-subject requests:
validation only. Services do the writing."""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.forms import ANY
from recruitment.careers.forms import phone_validator
from recruitment.careers.services import normalise_email
from recruitment.cvs.forms import CheckedCvForm, cv_input
from recruitment.models import Candidate, DataSubjectRequest, Interview
from recruitment.rights.selectors import ALL


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


class InterviewAnswerForm(forms.Form):
    """The candidate's answer to an interview invitation."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (Interview.Answer.ACCEPTED, _("I will come")),
            (Interview.Answer.DECLINED, _("I cannot come, and do not need another time")),
            (Interview.Answer.NEW_TIME, _("Please suggest another time")),
        ],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Message (which times suit you better, or anything we should know)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == Interview.Answer.NEW_TIME and not data.get("message", "").strip():
            self.add_error("message", _("Tell us which times suit you better."))
        return data


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


# --- Data-subject requests (staff) ------------------------------------------------------------

Kind = DataSubjectRequest.Kind
Channel = DataSubjectRequest.Channel
Status = DataSubjectRequest.Status


class QueueFilterForm(forms.Form):
    """The queue's filters, from GET parameters; an invalid value falls back to the default."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*Status.choices, (ALL, _("All"))],
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[ANY, *Kind.choices], required=False)

    def filters(self) -> tuple[str, str]:
        """(status, kind): status defaults to open, kind to any ("")."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("status") or Status.OPEN, data.get("kind") or ""


class NewRequestForm(forms.Form):
    """A request that reached staff outside the portal, for a candidate found by email."""

    email = forms.EmailField(
        label=_("Candidate's email address"),
        help_text=_("The address they applied with."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.OTHER, Channel.OTHER.label)],
    )
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The deadline runs from the day the request arrived."),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the person asked for, in their words or a summary."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate
        self.candidate: Candidate | None = None

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        # Addresses are stored normalised (trimmed, lower-cased), as the apply form keeps them.
        self.candidate = Candidate.objects.filter(email=email).first()
        if self.candidate is None:
            raise forms.ValidationError(
                _(
                    "No candidate has applied with this email address, so no data is held "
                    "about it here. Check the address; nothing was recorded."
                )
            )
        return email

    def clean_received_on(self) -> datetime.date:
        received_on: datetime.date = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return received_on

    def received_at(self) -> datetime.datetime:
        """The start of the local day it arrived: the deadline is never later than the law's."""
        day: datetime.date = self.cleaned_data["received_on"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the candidate with the new due date."),
        # Blank or only spaces (stripped): the candidate must be told why.
        error_messages={
            "required": _("Give the reason for the extension: the candidate is told it.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The cap is configuration, read per form rather than at import.
        self.fields = {
            "days": forms.IntegerField(
                label=_("Extend by (days)"),
                min_value=1,
                max_value=settings.PRIVACY_REQUEST_EXTENSION_DAYS,
            ),
            **self.fields,
        }


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, or why the request is refused. Kept with it."),
        error_messages={"required": _("Describe what was done and why.")},
    )
    outcome = forms.ChoiceField(
        choices=[(Status.RESOLVED, Status.RESOLVED.label), (Status.REFUSED, Status.REFUSED.label)]
    )
    # A rectification request: the details as the candidate asked (shown for that kind only).
    full_name = forms.CharField(label=_("Corrected full name"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Corrected phone"),
        max_length=40,
        required=False,
        validators=[phone_validator],
        help_text=_(
            "As the candidate asked. Resolving replaces the details on the person and on every "
            "application of theirs, as a correction in the portal does."
        ),
    )


class ReplyForm(forms.Form):
    """The candidate's answer to the staff's messages about one application (issue 20)."""

    body = forms.CharField(
        label=_("Your message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5})
    )
