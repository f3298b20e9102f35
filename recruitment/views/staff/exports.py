"""A candidate's data export, produced by staff (PRIVACY.md P10: a request that arrived by
email is answered with the same export the portal gives). Admins and privacy officers only;
everyone else gets a 404. Producing and downloading are audited on the application the
export was reached from.

The list page shows the application's id, its posting and the exports, never the candidate's
name or address: privacy officers have no pipeline access, and do not need it for this.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recruitment import access
from recruitment.models import Application, DataExport
from recruitment.services import exports
from recruitment.views.staff.common import actor_from, safe_next, staff_view


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
            "exports": exports.candidate_exports(candidate_id=application.candidate_id),
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
        exports.candidate_exports(candidate_id=application.candidate_id), pk=export_id
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
