"""The audit log: browse, filter and export (privacy officers and admins; everyone else 404).

The log holds no candidate personal data, and nothing here joins it to any.
"""

import csv
from collections.abc import Iterator
from datetime import UTC

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from recruitment import access
from recruitment.audit.forms import AuditLogFilterForm
from recruitment.audit.selectors import audit_rows, filtered_events
from recruitment.audit.services import record_access
from recruitment.models import AccessEvent
from recruitment.staff import actor_from, staff_view

PAGE_SIZE = 50
EXPORT_CHUNK_SIZE = 2000
CSV_HEADER = (
    "time_utc",
    "actor",
    "action",
    "posting_id",
    "application_id",
    "request_id",
    "client_network",
    "subject",
    # Last, so the columns before keep their places: e.g. a pool search's filters.
    "details",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _require_audit_reader(request: HttpRequest) -> None:
    # 404, not 403: the page does not exist for anyone else (default deny).
    if not access.can_read_audit_log(request.user):
        raise Http404


@staff_view
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_audit_reader(request)
    form = AuditLogFilterForm(request.GET)
    page = Paginator(filtered_events(form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list, user=request.user),
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@staff_view
@require_GET
def audit_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Streams the filtered log as CSV. Side effect: records the export in the log itself,
    before any row leaves, so the export includes its own entry when the filters match it."""
    _require_audit_reader(request)
    events = filtered_events(AuditLogFilterForm(request.GET).filters())
    record_access(actor=actor_from(request), action=AccessEvent.Action.EXPORT_AUDIT_LOG)
    filename = f"audit-log-{timezone.now().astimezone(UTC):%Y%m%d-%H%M%S}.csv"
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(events: QuerySet[AccessEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=EXPORT_CHUNK_SIZE):
        yield writer.writerow([_cell(value) for value in _csv_values(event)])


def _csv_values(event: AccessEvent) -> tuple[object, ...]:
    return (
        event.created_at.astimezone(UTC).isoformat(),
        event.actor_username,
        event.action,
        event.posting_id,
        event.application_id,
        event.request_id,
        event.client_ip,
        event.subject_username,
        event.details,
    )


def _cell(value: object) -> str:
    """The value as text, neutralised with a leading ' if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text
