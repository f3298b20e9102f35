"""The audit log's filter form: validation only."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ats.forms import ANY
from recruitment.audit.selectors import actor_usernames, posting_choices
from recruitment.models import AccessEvent


class AuditLogFilterForm(forms.Form):
    """The audit log's filters, from GET parameters. Every field is optional.

    An invalid value is dropped from `cleaned_data` (and reported on the form), so a bad
    parameter narrows nothing rather than failing the page.
    """

    actor = forms.ChoiceField(label=_("Actor"), required=False)
    posting = forms.TypedChoiceField(label=_("Posting"), coerce=int, required=False)
    action = forms.ChoiceField(
        label=_("Action"), choices=[ANY, *AccessEvent.Action.choices], required=False
    )
    # A data-subject request's id: every action taken on that request.
    request = forms.UUIDField(label=_("Data-subject request"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor_field = cast(forms.ChoiceField, self.fields["actor"])
        actor_field.choices = [ANY, *((name, name) for name in actor_usernames())]
        posting_field = cast(forms.ChoiceField, self.fields["posting"])
        # Postings hold no personal data, so their titles may label the filter.
        posting_field.choices = [ANY, *posting_choices()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (validates the form if that has not happened yet)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
