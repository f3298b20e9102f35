"""The talent pool's forms (the search, an invitation): validation only."""

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ats.forms import ANY
from recruitment.models import FORWARD_STAGES, Application, Posting
from recruitment.pool.selectors import PoolFilters
from recruitment.pool.services.invitations import MAX_PEOPLE_AT_ONCE

# Long enough for any search a person types; a longer one is refused, not truncated.
MAX_QUERY_CHARS = 200


class PoolSearchForm(forms.Form):
    """The pool's search box and filters, from GET parameters; every field is optional.
    An invalid value is reported and the search is not run (nothing is shown for it)."""

    q = forms.CharField(
        label=_("Skills, experience, words in the CV"),
        max_length=MAX_QUERY_CHARS,
        required=False,
        help_text=_(
            'Quotes for a phrase ("project manager"), "or" between alternatives, '
            "a minus before a word to leave it out. Letters with or without "
            "diacritics, in Latin or Cyrillic."
        ),
    )
    posting = forms.TypedChoiceField(label=_("Applied to"), coerce=int, required=False)
    stage = forms.ChoiceField(label=_("Reached at least"), required=False)
    rating = forms.TypedChoiceField(
        label=_("Average rating at least"),
        coerce=int,
        required=False,
        choices=[ANY, *((n, str(n)) for n in range(1, 6))],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    expires_before = forms.DateField(
        label=_("Consent expires before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, postings: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        """`postings`: the posting filter's choices (selectors.posting_choices), read by
        the view."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["posting"]).choices = [ANY, *postings]
        stages = dict(Application.Stage.choices)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            ANY,
            *((str(stage), stages[stage]) for stage in FORWARD_STAGES[1:]),
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ANY,
            *settings.LANGUAGES,
        ]

    def filters(self) -> PoolFilters:
        """The search to run; call only on a valid form."""
        data = self.cleaned_data
        return PoolFilters(
            query=data.get("q") or "",
            posting_id=data.get("posting") or None,
            stage=data.get("stage") or "",
            min_rating=data.get("rating") or None,
            language=data.get("language") or "",
            consent_expires_before=data.get("expires_before"),
        )


class CandidateIdsField(forms.Field):
    """The people a recruiter ticked (their ids): each decided by the service, which says
    why one is not invited (a person may have left the pool since the page was shown)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one person to invite."),
        "invalid": _("The selection is not valid; search again and choose the people anew."),
    }

    def to_python(self, value: Any) -> list[UUID]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            return [UUID(str(item)) for item in values]
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: list[UUID]) -> None:
        super().validate(value)
        if len(value) > MAX_PEOPLE_AT_ONCE:
            raise forms.ValidationError(
                _("Invite at most %(count)d people at once.") % {"count": MAX_PEOPLE_AT_ONCE},
                code="too_many",
            )


class InviteForm(forms.Form):
    """Whom to invite (one person, or those ticked on the search page) and to which of the
    open postings the recruiter manages (`postings`, read once by the view: the select's
    options come from that list, not from a query per rendering)."""

    posting = forms.TypedChoiceField(label=_("Invite to apply for"))
    candidates = CandidateIdsField()

    def __init__(self, *args: Any, postings: Sequence[Posting], **kwargs: Any) -> None:
        # Ids of its own: the search form on the same page has a `posting` field too.
        kwargs.setdefault("auto_id", "invite-%s")
        super().__init__(*args, **kwargs)
        self._postings = {str(posting.pk): posting for posting in postings}
        field = cast(forms.TypedChoiceField, self.fields["posting"])
        field.choices = [(str(posting.pk), posting.title) for posting in postings]
        field.coerce = self._postings.__getitem__
