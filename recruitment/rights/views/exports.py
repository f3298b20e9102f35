"""A candidate's data export, produced by staff (PRIVACY.md P10: a request that arrived by
email is answered with the same export the portal gives). Admins and privacy officers only;
everyone else gets a 404. Producing and downloading are audited on the application the
export was reached from.

The list page shows the application's id, its posting and the exports, never the candidate's
name or address: privacy officers have no pipeline access, and do not need it for this.

Review (GDPR Art. 15(4)): exports the candidates asked for in the portal that hold other
people's words wait for an admin or privacy officer, who releases or redacts each passage
and then releases the export; every action is audited by the services.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recruitment import access
from recruitment.models import Application, DataExport, ExportPassageReview
from recruitment.rights import selectors
from recruitment.rights.services import exports, register
from recruitment.staff import actor_from, safe_next, staff_view


def _exportable_application(request: HttpRequest, pk: Any) -> Application:
    return get_object_or_404(
        access.applications_exportable_by(request.user).select_related("candidate", "posting"),
        pk=pk,
    )


@staff_view
@require_GET
def candidate_exports(request: HttpRequest, pk: Any) -> HttpResponse:
    application = _exportable_application(request, pk)
    return render(
        request,
        "staff/application_exports.html",
        {
            "application": application,
            "exports": selectors.candidate_exports(candidate_id=application.candidate_id),
        },
    )


@staff_view
@require_POST
def produce(request: HttpRequest, pk: Any) -> HttpResponse:
    """Produces (or finds the still valid) export of the application's candidate, audited."""
    application = _exportable_application(request, pk)
    export = exports.produce_export(application=application, actor=actor_from(request))
    if export.status == DataExport.Status.READY:
        messages.info(
            request,
            _("The export you produced earlier is still valid: download it below."),
        )
    else:
        messages.success(
            request,
            _(
                "The export is being prepared; reload this page in a minute to download it. "
                "It includes every application of this candidate."
            ),
        )
    return redirect(
        safe_next(request) or reverse("staff:application_exports", kwargs={"pk": application.pk})
    )


@staff_view
@require_GET
def download(request: HttpRequest, pk: Any, export_id: Any) -> HttpResponse:
    """Audits, and sends the browser to a 60-second download link of a ready export."""
    application = _exportable_application(request, pk)
    export = get_object_or_404(
        selectors.candidate_exports(candidate_id=application.candidate_id), pk=export_id
    )
    try:
        url = exports.staff_download_url(
            application=application, export=export, actor=actor_from(request)
        )
    except exports.ExportNotReady:
        raise Http404 from None
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Review of other people's words (GDPR Art. 15(4)) ------------------------------------------


def _reviewable_export(request: HttpRequest, export_id: Any) -> DataExport:
    return get_object_or_404(
        access.exports_reviewable_by(request.user).select_related("request"), pk=export_id
    )


@staff_view
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """The exports waiting for a review, soonest due first, with their requests' deadlines."""
    if not access.can_manage_retention(request.user):
        raise Http404
    now = timezone.now()
    rows = [
        {
            "export": export,
            "days_left": register.days_left(export.request, now=now) if export.request else None,
        }
        for export in exports.exports_in_review()
    ]
    return render(request, "staff/export_reviews.html", {"rows": rows})


@staff_view
@require_GET
def review(request: HttpRequest, export_id: Any) -> HttpResponse:
    """The passages of one export, grouped by application, each with its decision."""
    export = _reviewable_export(request, export_id)
    state = exports.review_state(export) if export.status == DataExport.Status.IN_REVIEW else []
    groups: dict[UUID, dict[str, Any]] = {}
    for passage, decision in state:
        group = groups.setdefault(
            passage.application_id,
            {
                "application_id": passage.application_id,
                "posting": passage.posting_title,
                "items": [],
            },
        )
        group["items"].append({"passage": passage, "decision": decision})
    now = timezone.now()
    return render(
        request,
        "staff/export_review.html",
        {
            "export": export,
            "groups": list(groups.values()),
            "undecided": sum(1 for _passage, decision in state if decision is None),
            "days_left": register.days_left(export.request, now=now) if export.request else None,
            "Source": ExportPassageReview.Source,
        },
    )


@staff_view
@require_POST
def review_passage(request: HttpRequest, export_id: Any) -> HttpResponse:
    """Releases one passage as it is, or replaces it with the redaction text given."""
    export = _reviewable_export(request, export_id)
    source = request.POST.get("source", "")
    decision = request.POST.get("decision", "")
    try:
        source_id = UUID(request.POST.get("source_id", ""))
    except ValueError:
        source_id = None
    if (
        source not in ExportPassageReview.Source.values
        or decision not in ExportPassageReview.Decision.values
        or source_id is None
    ):
        messages.error(request, _("Choose a passage and whether to release or redact it."))
    else:
        try:
            exports.review_passage(
                export_id=export.pk,
                source=source,
                source_id=source_id,
                redact=decision == ExportPassageReview.Decision.REDACT,
                replacement=request.POST.get("replacement", ""),
                actor=actor_from(request),
            )
        except exports.ReviewRefused as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("The decision on the passage is saved."))
    return redirect(reverse("staff:export_review", kwargs={"export_id": export.pk}))


@staff_view
@require_POST
def release(request: HttpRequest, export_id: Any) -> HttpResponse:
    """Releases the reviewed export to the candidate (it is built with the decisions)."""
    export = _reviewable_export(request, export_id)
    try:
        exports.release_reviewed_export(export_id=export.pk, actor=actor_from(request))
    except exports.ReviewRefused as refused:
        messages.error(request, str(refused.message))
        return redirect(reverse("staff:export_review", kwargs={"export_id": export.pk}))
    messages.success(
        request,
        _(
            "The export is released: it is being built with your decisions, and the candidate "
            "downloads it in the portal. Its access request is resolved."
        ),
    )
    return redirect(reverse("staff:export_reviews"))
