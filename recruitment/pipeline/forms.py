"""Forms of the staff workspace: validation only; services do the writing."""

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.models import (
    Application,
    Interview,
    InterviewNote,
    MessageTemplate,
    Posting,
    StaffNotificationSetting,
    TeamMembership,
)
from recruitment.pipeline.services.interviews import Details
from recruitment.pipeline.services.postings import POSTING_FIELDS

User = get_user_model()


class CountryCodesField(forms.CharField):
    """Country codes typed as "RS, BA HR", held as ["RS", "BA", "HR"]; the model checks them."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(code) for code in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return list(dict.fromkeys(code.upper() for code in re.split(r"[\s,;]+", text) if code))


class PostingForm(forms.ModelForm):
    # The minute a browser's date-time picker gives, in the site's time zone.
    valid_through = forms.DateTimeField(
        label=_("Applications close at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_(
            "Optional. From then on the posting takes no applications and closes by itself."
        ),
    )
    remote_countries = CountryCodesField(
        label=_("Countries remote applicants must be in"),
        required=False,
        help_text=_(
            "For a remote or hybrid posting: two-letter ISO codes separated by commas, "
            "e.g. RS, BA, HR."
        ),
    )

    class Meta:
        model = Posting
        # Exactly what the service saves (create_posting, update_posting).
        fields = list(POSTING_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "country": forms.TextInput(attrs={"size": 2, "autocapitalize": "characters"}),
            "salary_currency": forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
        }
        help_texts = {
            "salary_min": _("Optional. A range, or one end of it, with its currency and period."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # On-site unless said otherwise (a client that predates the field sends none).
        self.fields["workplace"].required = False

    def clean_workplace(self) -> str:
        return self.cleaned_data["workplace"] or Posting.Workplace.ON_SITE

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def clean_salary_currency(self) -> str:
        return str(self.cleaned_data["salary_currency"]).strip().upper()

    def clean_valid_through(self) -> datetime | None:
        """A closing time in the past would close the posting at once: refused when set or
        changed (an old one stays, so that a closed posting can still be edited)."""
        value: datetime | None = self.cleaned_data["valid_through"]
        kept = self.instance.valid_through
        if (
            value is not None
            and kept is not None
            and value == kept.replace(second=0, microsecond=0)
        ):
            # The form shows minutes: the same minute is the time already set, to the second.
            return kept
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(
                _("The closing time must be in the future."), code="valid_through_past"
            )
        return value


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        to_field_name="username",
    )
    role = forms.ChoiceField(label=_("Role"), choices=TeamMembership.Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = User.objects.filter(is_active=True, is_staff=True).order_by("username")


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Application.Stage.choices)
    reason = forms.CharField(
        label=_("Reason (kept with the application)"), required=False, max_length=1000
    )
    notify = forms.BooleanField(label=_("Email the candidate"), required=False)


class BulkUnsuccessfulForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        error_messages={"required": _("Select at least one application.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    notify = forms.BooleanField(label=_("Email the candidates"), required=False)

    def __init__(self, *args: Any, applications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applications"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        # Only applications the user can see on this posting can be chosen at all.
        field.queryset = applications


class ConcludeForm(forms.Form):
    reject_remaining = forms.BooleanField(
        label=_("Mark every undecided application unsuccessful while concluding"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason for those applications"), required=False, max_length=1000
    )
    notify = forms.BooleanField(label=_("Email those candidates"), required=False)
    confirm = forms.BooleanField(
        label=_("I understand that concluding is final and starts the retention period."),
        error_messages={"required": _("Please confirm that you want to conclude the process.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reject_remaining") and not data.get("reason"):
            self.add_error(
                "reason", _("Give a reason for marking the remaining applications unsuccessful.")
            )
        return data


class NoteForm(forms.ModelForm):
    class Meta:
        model = InterviewNote
        fields = ["kind", "body", "rating", "scorecard", "interview"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "rating": forms.Select(
                choices=[("", _("No rating")), *[(n, str(n)) for n in range(1, 6)]]
            ),
        }

    def __init__(self, *args: Any, application: Application | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this application's interviews: a scorecard belongs to the interview it follows.
        application = application or getattr(self.instance, "application", None)
        field = self.fields["interview"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = (
            Interview.objects.filter(application=application).order_by("starts_at")
            if application is not None
            else Interview.objects.none()
        )
        field.empty_label = _("Not after an interview")
        field.label_from_instance = _interview_label  # type: ignore[method-assign,assignment]


class AssignForm(forms.Form):
    interviewer = forms.ModelChoiceField(label=_("Interviewer"), queryset=User.objects.none())

    def __init__(self, *args: Any, posting: Posting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["interviewer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = User.objects.filter(
            memberships__posting=posting,
            memberships__role=TeamMembership.Role.INTERVIEWER,
            is_active=True,
        ).order_by("username")


# --- Messages to candidates (issue 20) ----------------------------------------------------------


class MessageForm(forms.Form):
    """A message to one candidate: from a template (its text in the candidate's language is
    put in the fields to edit) or written freely. Placeholders are checked by the service,
    which also renders the preview."""

    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        required=False,
        label=_("Start from a template"),
        empty_label=_("(write freely)"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"), max_length=10_000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = MessageTemplate.objects.prefetch_related("texts")


class BulkMessageForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        error_messages={"required": _("Select at least one application.")},
    )
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        error_messages={"required": _("Choose the template to send.")},
    )

    def __init__(self, *args: Any, applications: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applications"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = applications
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)  # noqa: S101
        template.queryset = MessageTemplate.objects.prefetch_related("texts")


class MessageTemplateForm(forms.Form):
    """A template's name and its subject and body in every language; the Cyrillic Serbian
    text may be left empty (it is then the Latin one transliterated)."""

    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code, language_name in languages:
            optional = code == "sr"
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": language_name},
                max_length=200,
                required=not optional,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": language_name},
                max_length=10_000,
                required=not optional,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("Leave empty to use the Latin text in Cyrillic letters.")
                if optional
                else "",
            )

    def language_fields(self) -> list[tuple[str, Any, Any]]:
        return [
            (name, self[f"subject_{code}"], self[f"body_{code}"]) for code, name in self.languages
        ]


class NotificationSettingForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_(
            "Email me about new applications, candidates' replies and answers to interview "
            "invitations on my postings"
        ),
        choices=StaffNotificationSetting.Frequency.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the emails we send you"),
        help_text=_("Digests, interview invitations, changes and reminders."),
        # A callable: settings are read when the form is built, not at import.
        choices=lambda: settings.LANGUAGES,
    )


def _interview_label(interview: Interview) -> str:
    local = interview.starts_at.astimezone(ZoneInfo(interview.time_zone))
    return f"{local:%Y-%m-%d %H:%M} ({interview.get_kind_display()})"


class InterviewForm(forms.Form):
    """An interview's details. The start is typed as a wall-clock time in the chosen zone."""

    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("The time above is in this zone (e.g. Europe/Sarajevo)."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Interview.Kind.choices)
    address = forms.CharField(label=_("Address (on site)"), max_length=300, required=False)
    video_url = forms.URLField(
        label=_("Video call link"), max_length=500, required=False, assume_scheme="https"
    )
    interviewers = forms.ModelMultipleChoiceField(
        label=_("Interviewers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note_for_candidate = forms.CharField(
        label=_("Note for the candidate"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the candidate with the invitation, in the language they wrote."),
    )

    def __init__(self, *args: Any, posting: Posting, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("time_zone", settings.TIME_ZONE)
        super().__init__(*args, **kwargs)
        field = self.fields["interviewers"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        # Anyone on the posting's team (interviewers, and recruiters or hiring managers who
        # sit on the panel themselves).
        field.queryset = (
            User.objects.filter(memberships__posting=posting, is_active=True)
            .distinct()
            .order_by("username")
        )
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[method-assign,assignment]

    @classmethod
    def for_interview(cls, interview: Interview, *, posting: Posting) -> "InterviewForm":
        zone = ZoneInfo(interview.time_zone)
        return cls(
            posting=posting,
            initial={
                "starts_at": interview.starts_at.astimezone(zone).replace(tzinfo=None),
                "time_zone": interview.time_zone,
                "duration_minutes": interview.duration_minutes,
                "kind": interview.kind,
                "address": interview.address,
                "video_url": interview.video_url,
                "interviewers": list(interview.interviewers.all()),
                "note_for_candidate": interview.note_for_candidate,
            },
        )

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name not in available_timezones():
            raise forms.ValidationError(_("Unknown time zone."))
        try:
            ZoneInfo(name)
        except ZoneInfoNotFoundError:
            raise forms.ValidationError(_("Unknown time zone.")) from None
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == Interview.Kind.ON_SITE and not data.get("address", "").strip():
            self.add_error("address", _("An on-site interview needs the address."))
        if kind == Interview.Kind.VIDEO and not data.get("video_url"):
            self.add_error("video_url", _("A video interview needs the link to the call."))
        return data

    def details(self) -> Details:
        """The cleaned data as the services take it (call after is_valid())."""
        data = self.cleaned_data
        zone = ZoneInfo(data["time_zone"])
        # The typed wall-clock time in the chosen zone, whatever the site's zone is.
        starts_at = (
            timezone.make_naive(data["starts_at"])
            if timezone.is_aware(data["starts_at"])
            else data["starts_at"]
        )
        return Details(
            starts_at=starts_at.replace(tzinfo=zone),
            duration_minutes=data["duration_minutes"],
            time_zone=data["time_zone"],
            kind=data["kind"],
            address=data.get("address", ""),
            video_url=data.get("video_url", ""),
            note_for_candidate=data.get("note_for_candidate", ""),
            interviewer_ids=tuple(user.pk for user in data["interviewers"]),
        )


class CancelInterviewForm(forms.Form):
    """Nothing to fill in: a POST that confirms."""
