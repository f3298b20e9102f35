"""Forms: validation only. Services do the writing."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from recruitment.careers.services import RESERVED_SOURCE_KINDS
from recruitment.cvs.forms import CheckedCvForm, cv_input
from recruitment.models import ConsentTextVersion, CurriculumVitae, NoticeVersion, Question, Source
from recruitment.notices.texts import consent_text_in, talent_pool_consent_text
from recruitment.questions.forms import AnswersMixin

phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    _("Enter a phone number using digits, spaces and + ( ) - / . only."),
)


class ApplicationForm(AnswersMixin, CheckedCvForm):
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
    # The source the posting link named (`?source=`/`utm_source=`), carried to the POST. Not
    # trusted: the service checks it against the allow-list again (anything else is the
    # careers site), so here it is only text, and never an error a visitor could not see.
    source = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    POOL_CV_OR_FILE = _("Use your earlier CV or upload a new one, not both.")
    POOL_CV_OR_FILE_MISSING = _("Upload your CV, or choose to use your earlier one.")

    def __init__(
        self,
        *args: Any,
        offered_cv: CurriculumVitae | None = None,
        questions: list[Question] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The posting's own questions (recruitment.questions), after the cover letter.
        self.add_questions(questions or [])
        # An invited person may apply with the CV of theirs the talent pool keeps, if they
        # choose to (never by default): then no file is needed.
        self.offered_cv = offered_cv
        if offered_cv is not None:
            self.fields["use_pool_cv"] = forms.BooleanField(
                required=False,
                initial=False,
                label=_('Use the CV you sent us with your application for "%(title)s" (%(file)s)')
                % {
                    "title": offered_cv.application.posting.title,
                    "file": offered_cv.original_filename,
                },
            )
            self.fields["cv"].required = False
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

    def clean_cv(self) -> UploadedFile | None:
        if self.offered_cv is not None and not self.cleaned_data.get("cv"):
            return None  # `clean` asks for one unless the earlier CV is chosen
        return super().clean_cv()

    def uses_pool_cv(self) -> bool:
        """Whether the person chose to apply with the CV the pool keeps (a valid form)."""
        return bool(self.offered_cv is not None and self.cleaned_data.get("use_pool_cv"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.offered_cv is not None and "cv" not in self.errors:
            chosen, uploaded = bool(data.get("use_pool_cv")), bool(data.get("cv"))
            if chosen and uploaded:
                self.add_error("cv", self.POOL_CV_OR_FILE)
            elif not chosen and not uploaded:
                self.add_error("cv", self.POOL_CV_OR_FILE_MISSING)
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


# Shown wherever staff name a source: a source is a channel, never a person.
SOURCE_NOT_A_PERSON = _(
    "A source is a channel, never a person: for a referral record only that it was a "
    "referral, never who referred."
)


class SourceChoiceField(forms.ModelChoiceField):
    """Sources by their label in the active language ("Recruitment platform: LinkedIn")."""

    def label_from_instance(self, obj: Source) -> str:
        return obj.label


class SourcedApplicationForm(AnswersMixin, CheckedCvForm):
    """An application staff record on a person's behalf (received by email, at a fair, from
    a platform...): what the person sent, where it came from and their language. No consent
    box and no age attestation: only the person can give those (PRIVACY.md P24)."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput({"type": "tel"}),
    )
    cv = forms.FileField(label=_("CV"), widget=cv_input())
    cover_letter = forms.CharField(
        label=_("Cover text (optional)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("What the person wrote with their application (the email's text, say)."),
    )
    source = SourceChoiceField(
        label=_("Source"),
        queryset=Source.objects.none(),
        to_field_name="slug",
        empty_label=None,
        help_text=SOURCE_NOT_A_PERSON,
    )
    language = forms.ChoiceField(
        label=_("The person's language"),
        help_text=_("They are told of this application at once, in this language."),
    )

    def __init__(
        self,
        *args: Any,
        sources: QuerySet[Source],
        questions: list[Question] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_questions(questions or [])
        max_chars = settings.COVER_LETTER_MAX_CHARS
        self.fields["cover_letter"].validators.append(MaxLengthValidator(max_chars))
        self.fields["cover_letter"].widget.attrs["maxlength"] = str(max_chars)
        source_field = cast(forms.ModelChoiceField, self.fields["source"])
        source_field.queryset = sources
        language_field = cast(forms.ChoiceField, self.fields["language"])
        language_field.choices = list(settings.LANGUAGES)
        language_field.initial = get_language() or settings.LANGUAGE_CODE


class SourceForm(forms.Form):
    """A source of the allow-list, as staff add or change it. The slug is asked only when
    adding (it never changes); the careers site is not a kind staff can give."""

    slug = forms.SlugField(
        label=_("Slug"),
        max_length=50,
        help_text=_(
            "What posting links carry: ?source=slug. Lower-case letters, digits and "
            "hyphens; it cannot change later."
        ),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=format_lazy(
            "{} {}",
            _("The platform's, fair's or channel's name, e.g. LinkedIn."),
            SOURCE_NOT_A_PERSON,
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"))
    active = forms.BooleanField(
        label=_("Active (posting links may name it; staff may record it)"),
        required=False,
        initial=True,
    )

    def __init__(
        self, *args: Any, adding: bool, source: Source | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        # The careers site and the talent pool are built in, one each: no other source may
        # take their kinds (a built-in source shows its own, unchangeable).
        kind.choices = [
            (value, label)
            for value, label in Source.Kind.choices
            if value not in RESERVED_SOURCE_KINDS or (source is not None and source.kind == value)
        ]
        if adding:
            del self.fields["active"]
        else:
            del self.fields["slug"]
        if source is not None and source.builtin:
            # Shown translated, by kind: only whether it is active may change.
            self.fields["name"].disabled = True
            self.fields["kind"].disabled = True
            if source.kind == Source.Kind.CAREERS_SITE:
                self.fields["active"].disabled = True

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()
