"""Data-subject requests (PRIVACY.md P14, P16): the queue, entering a request that arrived
by email or letter, and one request's page with its actions. Admins and privacy officers
only; everyone else gets a 404 (default deny).

The queue shows ids, kinds and dates, never the candidate. One request's page shows who
asked and what they wrote, so opening it is audited, as is every change.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ats.dates import local_date_text
from recruitment import access
from recruitment.audit import services as audit
from recruitment.models import DataSubjectRequest
from recruitment.rights import selectors
from recruitment.rights.forms import ExtendForm, NewRequestForm, QueueFilterForm, ResolveForm
from recruitment.rights.services import register
from recruitment.rights.services import requests as request_services
from recruitment.staff import actor_from, staff_view

Status = DataSubjectRequest.Status

PAGE_SIZE = 50


def _require_request_handler(request: HttpRequest) -> None:
    # 404, not 403: for everyone else these pages do not exist.
    if not access.can_manage_retention(request.user):
        raise Http404


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
    page = Paginator(selectors.queue(request.user, status=status, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "staff/requests/queue.html",
        {
            "form": form,
            "status": status,
            "page": page,
            "rows": selectors.queue_rows(page.object_list, now=timezone.now()),
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
            dsr = register.record_request(
                candidate=form.candidate,
                kind=form.cleaned_data["kind"],
                channel=form.cleaned_data["channel"],
                details=form.cleaned_data["details"],
                received_at=form.received_at(),
                actor=actor_from(request),
            )
        except register.RequestRefused as error:
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
    is_open = dsr.status == Status.OPEN
    return {
        "dsr": dsr,
        "candidate": candidate,
        "applications": selectors.request_applications(dsr, user=request.user),
        "days_left": register.days_left(dsr, now=now),
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
        "exports_in_review": selectors.exports_in_review(dsr),
        "history": selectors.request_history(dsr),
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
    except register.RequestRefused as error:
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
        except register.RequestRefused as error:
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
        except register.RequestRefused as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("The request is refused.") if refused else _("The request is resolved.")
            )
        return redirect("staff:request", pk=dsr.pk)
    return _render_detail(request, dsr, resolve_form=form)
