"""Forms: validation only. Services do the writing."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.http import QueryDict
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from recruitment.cvs.forms import CheckedCvForm, cv_input
from recruitment.models import ConsentTextVersion, NoticeVersion
from recruitment.notices.texts import consent_text_in, talent_pool_consent_text

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    _("Enter a phone number using digits, spaces and + ( ) - / . only."),
)


class ApplicationForm(CheckedCvForm):
    """The public application form (PRIVACY.md P2, P17, P18, P19).

    It asks only for the published data categories: no date of birth, photo, gender or
    national id. The talent-pool consent is separate, optional and never pre-ticked.

    Two hidden fields carry the numbers of the privacy notice and consent text versions the
    page showed (`show_versions`), so that the application records what the candidate saw
    even if staff publish a newer version meanwhile. The service checks they exist and are
    in effect; here only that they are numbers (empty: the versions in effect).
    """

    VERSIONS_NOT_VALID = _(
        "The privacy information on this page is out of date or not valid. Please read it "
        "again below and submit the form once more."
    )

    # autocomplete: browsers and password managers fill these in for the applicant.
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput({"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )
    cv = forms.FileField(label=_("CV"), widget=cv_input())
    cover_letter = forms.CharField(
        label=_("Cover letter (optional)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    privacy_acknowledged = forms.BooleanField(
        label=_("I have read the privacy notice above."),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )
    age_attested = forms.BooleanField()
    talent_pool_consent = forms.BooleanField(required=False, initial=False)
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill in every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    # Parsed in clean(): an error on a hidden field would have nowhere to show.
    notice_version = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    consent_text_version = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Limits come from settings, read per form rather than at import time. The texts
        # are translated now, in the request's language: ngettext_lazy would build a new
        # lazy class on every call, which cost more than the rest of the form.
        max_chars = settings.COVER_LETTER_MAX_CHARS
        self.fields["cover_letter"].validators.append(MaxLengthValidator(max_chars))
        self.fields["cover_letter"].widget.attrs["maxlength"] = str(max_chars)
        self.fields["cover_letter"].help_text = ngettext(
            "At most %(count)d character.", "At most %(count)d characters.", max_chars
        ) % {"count": max_chars}
        min_age = settings.APPLICANT_MIN_AGE
        self.fields["age_attested"].label = ngettext(
            "I am at least %(age)d year old.", "I am at least %(age)d years old.", min_age
        ) % {"age": min_age}
        self.fields["age_attested"].error_messages["required"] = ngettext(
            "You must be at least %(age)d year old to apply.",
            "You must be at least %(age)d years old to apply.",
            min_age,
        ) % {"age": min_age}
        self.fields["talent_pool_consent"].label = talent_pool_consent_text()
        self.notice: NoticeVersion | None = None

    def show_versions(self, *, notice: NoticeVersion, consent_text: ConsentTextVersion) -> None:
        """Shows these versions: the consent box is labelled with `consent_text`'s exact text
        in the active language, and the hidden fields carry both numbers (replacing what a
        re-displayed form was submitted with, so that they match the page shown now)."""
        self.notice = notice
        language = get_language() or settings.LANGUAGE_CODE
        self.fields["talent_pool_consent"].label = consent_text_in(consent_text, language)
        numbers = {"notice_version": notice.number, "consent_text_version": consent_text.number}
        self.initial.update(numbers)
        if self.is_bound:
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            for name, number in numbers.items():
                data[name] = str(number)
            self.data = data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("notice_version", "consent_text_version"):
            raw = str(data.get(name) or "").strip()
            if not raw:
                data[name] = None
            elif raw.isascii() and raw.isdigit() and int(raw) >= 1:
                data[name] = int(raw)
            else:
                data[name] = None
                self.add_error(None, self.VERSIONS_NOT_VALID)
                break
        return data

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            raise forms.ValidationError(
                _("This field must stay empty. Please clear it and submit again."),
                code="honeypot",
            )
        return value
