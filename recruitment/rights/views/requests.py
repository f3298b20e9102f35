"""Data-subject requests (PRIVACY.md P14, P16): the queue, entering a request that arrived
by email or letter, and one request's page with its actions. Admins and privacy officers
only; everyone else gets a 404 (default deny).

The queue shows ids, kinds and dates, never the candidate. One request's page shows who
asked and what they wrote, so opening it is audited, as is every change.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ats.dates import local_date_text
from recruitment import access
from recruitment.audit import services as audit
from recruitment.careers.forms import phone_validator
from recruitment.careers.services import normalise_email
from recruitment.models import AccessEvent, Candidate, DataExport, DataSubjectRequest
from recruitment.rights.services import requests as request_services
from recruitment.staff import actor_from, staff_view

Kind = DataSubjectRequest.Kind
Channel = DataSubjectRequest.Channel
Status = DataSubjectRequest.Status

PAGE_SIZE = 50
ALL = "all"
ANY = ("", gettext_lazy("Any"))


def _require_request_handler(request: HttpRequest) -> None:
    # 404, not 403: for everyone else these pages do not exist.
    if not access.can_manage_retention(request.user):
        raise Http404


# --- Forms (validation only; the services write) ---------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters, from GET parameters; an invalid value falls back to the default."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[*Status.choices, (ALL, gettext_lazy("All"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[ANY, *Kind.choices], required=False
    )

    def filters(self) -> tuple[str, str]:
        """(status, kind): status defaults to open, kind to any ("")."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("status") or Status.OPEN, data.get("kind") or ""


class NewRequestForm(forms.Form):
    """A request that reached staff outside the portal, for a candidate found by email."""

    email = forms.EmailField(
        label=gettext_lazy("Candidate's email address"),
        help_text=gettext_lazy("The address they applied with."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    channel = forms.ChoiceField(
        label=gettext_lazy("Received by"),
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.OTHER, Channel.OTHER.label)],
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The deadline runs from the day the request arrived."),
    )
    details = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the person asked for, in their words or a summary."),
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
                gettext_lazy(
                    "No candidate has applied with this email address, so no data is held "
                    "about it here. Check the address; nothing was recorded."
                )
            )
        return email

    def clean_received_on(self) -> datetime.date:
        received_on: datetime.date = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The date cannot be in the future."))
        return received_on

    def received_at(self) -> datetime.datetime:
        """The start of the local day it arrived: the deadline is never later than the law's."""
        day: datetime.date = self.cleaned_data["received_on"]
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the candidate with the new due date."),
        # Blank or only spaces (stripped): the candidate must be told why.
        error_messages={
            "required": gettext_lazy("Give the reason for the extension: the candidate is told it.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The cap is configuration, read per form rather than at import.
        self.fields = {
            "days": forms.IntegerField(
                label=gettext_lazy("Extend by (days)"),
                min_value=1,
                max_value=settings.PRIVACY_REQUEST_EXTENSION_DAYS,
            ),
            **self.fields,
        }


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("Resolution"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What was done, or why the request is refused. Kept with it."),
        error_messages={"required": gettext_lazy("Describe what was done and why.")},
    )
    outcome = forms.ChoiceField(
        choices=[(Status.RESOLVED, Status.RESOLVED.label), (Status.REFUSED, Status.REFUSED.label)]
    )
    # A rectification request: the details as the candidate asked (shown for that kind only).
    full_name = forms.CharField(
        label=gettext_lazy("Corrected full name"), max_length=200, required=False
    )
    phone = forms.CharField(
        label=gettext_lazy("Corrected phone"),
        max_length=40,
        required=False,
        validators=[phone_validator],
        help_text=gettext_lazy(
            "As the candidate asked. Resolving replaces the details on the person and on every "
            "application of theirs, as a correction in the portal does."
        ),
    )


# --- Selectors for the pages -----------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One request as the queue shows it."""

    dsr: DataSubjectRequest
    days_left: int
    overdue: bool
    due_soon: bool


def queue(user: access.AnyUser, *, status: str, kind: str) -> QuerySet[DataSubjectRequest]:
    """The requests the user may see, narrowed by status and kind; open ones by due date
    first, then closed ones, most recently closed first."""
    requests = (
        access.requests_visible_to(user)
        .select_related("handler")
        .only(
            "id",
            "kind",
            "channel",
            "status",
            "received_at",
            "original_due_at",
            "due_at",
            "extended_at",
            "resolved_at",
            "handler__username",
        )
    )
    if status != ALL:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    is_open = Case(
        When(Q(status=Status.OPEN), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    # Null for closed requests, which then fall back to when they were closed.
    open_due = Case(When(Q(status=Status.OPEN), then=F("due_at")))
    return requests.annotate(is_open=is_open, open_due=open_due).order_by(
        "-is_open", "open_due", F("resolved_at").desc(nulls_last=True), "pk"
    )


def queue_rows(page_items: Any, *, now: datetime.datetime) -> list[QueueRow]:
    """The queue's rows for these requests (days left, overdue, due soon); the staff home
    lists its requests with them too, so the two always say the same."""
    window = settings.PRIVACY_REQUEST_REMINDER_DAYS
    rows = []
    for dsr in page_items:
        left = request_services.days_left(dsr, now=now)
        is_open = dsr.status == Status.OPEN
        rows.append(
            QueueRow(
                dsr=dsr,
                days_left=left,
                overdue=is_open and left < 0,
                due_soon=is_open and 0 <= left <= window,
            )
        )
    return rows


def _visible_request(request: HttpRequest, pk: Any) -> DataSubjectRequest:
    return get_object_or_404(
        access.requests_visible_to(request.user).select_related("candidate", "handler"), pk=pk
    )


# --- Views -----------------------------------------------------------------------------------


@staff_view
@require_GET
def request_queue(request: HttpRequest) -> HttpResponse:
    _require_request_handler(request)
    form = QueueFilterForm(request.GET)
    status, kind = form.filters()
    page = Paginator(queue(request.user, status=status, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "staff/requests/queue.html",
        {
            "form": form,
            "status": status,
            "page": page,
            "rows": queue_rows(page.object_list, now=timezone.now()),
            "reminder_days": settings.PRIVACY_REQUEST_REMINDER_DAYS,
        },
    )


@staff_view
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    _require_request_handler(request)
    form = NewRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.candidate is not None  # noqa: S101 - set by clean_email
        try:
            dsr = request_services.record_request(
                candidate=form.candidate,
                kind=form.cleaned_data["kind"],
                channel=form.cleaned_data["channel"],
                details=form.cleaned_data["details"],
                received_at=form.received_at(),
                actor=actor_from(request),
            )
        except request_services.RequestRefused as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Request recorded. It is due on %(date)s.")
                % {"date": local_date_text(dsr.due_at)},
            )
            return redirect("staff:request", pk=dsr.pk)
    return render(request, "staff/requests/new.html", {"form": form})


def _detail_context(
    request: HttpRequest,
    dsr: DataSubjectRequest,
    *,
    extend_form: ExtendForm | None = None,
    resolve_form: ResolveForm | None = None,
) -> dict[str, Any]:
    now = timezone.now()
    candidate = dsr.candidate  # None once the candidate was erased
    applications = (
        list(
            candidate.applications.select_related("posting")
            .only("id", "stage", "created_at", "language", "restricted", "posting__title")
            .order_by("-created_at")
        )
        if candidate
        else []
    )
    visible = set(
        access.applications_visible_to(request.user)
        .filter(pk__in=[application.pk for application in applications])
        .values_list("pk", flat=True)
    )
    is_open = dsr.status == Status.OPEN
    return {
        "dsr": dsr,
        "candidate": candidate,
        "applications": [(application, application.pk in visible) for application in applications],
        "days_left": request_services.days_left(dsr, now=now),
        "is_open": is_open,
        "extension_refusal": request_services.extension_refusal(dsr, now=now) if is_open else None,
        "extension_days_left": request_services.extension_days_left(dsr),
        "extend_form": extend_form or ExtendForm(),
        "resolve_form": resolve_form
        or ResolveForm(
            initial={"full_name": candidate.full_name, "phone": candidate.phone}
            if candidate
            else {}
        ),
        "is_rectification": dsr.kind == DataSubjectRequest.Kind.RECTIFICATION,
        # A portal copy held for review of other people's words answers this request.
        "exports_in_review": list(
            dsr.exports.filter(status=DataExport.Status.IN_REVIEW).values_list("pk", flat=True)
        ),
        # What was done with it; views are in the audit log, not here.
        "history": AccessEvent.objects.filter(request_id=dsr.pk)
        .exclude(action=AccessEvent.Action.VIEW_REQUEST)
        .order_by("created_at", "pk"),
    }


def _render_detail(
    request: HttpRequest,
    dsr: DataSubjectRequest,
    *,
    extend_form: ExtendForm | None = None,
    resolve_form: ResolveForm | None = None,
) -> HttpResponse:
    """The request's page (also with a form's errors). Audited: it shows personal data."""
    audit.record_request_access(
        actor=actor_from(request), action=audit.Action.VIEW_REQUEST, request=dsr
    )
    context = _detail_context(request, dsr, extend_form=extend_form, resolve_form=resolve_form)
    return render(request, "staff/requests/detail.html", context)


@staff_view
@require_GET
def request_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    _require_request_handler(request)
    return _render_detail(request, _visible_request(request, pk))


def _handled_request(request: HttpRequest, pk: Any) -> DataSubjectRequest:
    # The role check comes first: only then does the request exist for this user.
    _require_request_handler(request)
    return _visible_request(request, pk)


@staff_view
@require_POST
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
    dsr = _handled_request(request, pk)
    try:
        request_services.assign_request(request=dsr, actor=actor_from(request))
    except request_services.RequestRefused as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("You now handle this request."))
    return redirect("staff:request", pk=dsr.pk)


@staff_view
@require_POST
def extend(request: HttpRequest, pk: Any) -> HttpResponse:
    dsr = _handled_request(request, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            extended = request_services.extend_request(
                request=dsr,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                actor=actor_from(request),
            )
        except request_services.RequestRefused as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _(
                    "The candidate is being told why the request will be answered by "
                    "%(date)s. The new due date takes effect once that notice is sent; until "
                    "then the first due date stands."
                )
                % {"date": local_date_text(extended.pending_due_at or extended.due_at)},
            )
        return redirect("staff:request", pk=dsr.pk)
    return _render_detail(request, dsr, extend_form=form)


@staff_view
@require_POST
def resolve(request: HttpRequest, pk: Any) -> HttpResponse:
    dsr = _handled_request(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        refused = form.cleaned_data["outcome"] == Status.REFUSED
        corrected = (
            request_services.ContactDetails(
                full_name=form.cleaned_data["full_name"].strip(),
                phone=form.cleaned_data["phone"].strip(),
            )
            if dsr.kind == DataSubjectRequest.Kind.RECTIFICATION and form.cleaned_data["full_name"]
            else None
        )
        try:
            request_services.resolve_request(
                request=dsr,
                resolution=form.cleaned_data["resolution"],
                actor=actor_from(request),
                refused=refused,
                corrected=corrected,
            )
        except request_services.RequestRefused as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("The request is refused.") if refused else _("The request is resolved.")
            )
        return redirect("staff:request", pk=dsr.pk)
    return _render_detail(request, dsr, resolve_form=form)
