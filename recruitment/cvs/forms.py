"""The CV file field every form that takes a CV shares: the picker, and every content check
before anything is stored. Validation only."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from recruitment.cvs.checks import CvRejected, InspectedCv, inspect_cv


def cv_input() -> forms.ClearableFileInput:
    """The file input for a CV: the picker offers PDF and Word (the server checks content)."""
    return forms.ClearableFileInput(
        attrs={
            "accept": ".pdf,.docx,application/pdf,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
    )


def checked_cv(cv: UploadedFile) -> InspectedCv:
    """The CV checks every upload gets (size, then content); ValidationError if refused."""
    max_bytes = settings.CV_MAX_BYTES
    if cv.size is not None and cv.size > max_bytes:
        raise forms.ValidationError(
            _("Your CV is larger than %(mb)d MB. Please upload a smaller file.")
            % {"mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    try:
        return inspect_cv(cv, max_bytes=max_bytes)
    except CvRejected as rejected:
        raise forms.ValidationError(rejected.message, code=rejected.code) from None


class CheckedCvForm(forms.Form):
    """A form with a `cv` file field that gets every CV check; the result is kept."""

    inspected_cv: InspectedCv | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        max_mb = settings.CV_MAX_BYTES // (1024 * 1024)
        self.fields["cv"].help_text = _("PDF or Word (.docx), at most %(mb)d MB.") % {"mb": max_mb}

    def clean_cv(self) -> UploadedFile | None:
        cv: UploadedFile = self.cleaned_data["cv"]
        self.inspected_cv = checked_cv(cv)
        return cv

    def inspected_cv_or_error(self) -> InspectedCv:
        """The content check's result; only valid forms have one."""
        if self.inspected_cv is None:
            raise ValueError("inspected_cv is only available on a valid form")
        return self.inspected_cv
