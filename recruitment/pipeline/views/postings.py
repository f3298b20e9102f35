"""Postings in the staff workspace: the list, create/edit, team, publish/close, conclude."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recruitment import access
from recruitment.models import DECIDED_STAGES, Posting
from recruitment.pipeline import selectors
from recruitment.pipeline.forms import ConcludeForm, PostingForm, TeamMemberForm
from recruitment.pipeline.services import postings as posting_services
from recruitment.pipeline.services import stages as pipeline_services
from recruitment.staff import actor_from, managed_posting, staff_view


@staff_view
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_postings(request.user):
        raise PermissionDenied
    form = PostingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        posting = posting_services.create_posting(actor=actor_from(request), data=form.cleaned_data)
        messages.success(request, _("Draft created. Publish it when it is ready."))
        return redirect("staff:posting_edit", pk=posting.pk)
    return render(request, "staff/posting_form.html", {"form": form, "posting": None})


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    form = PostingForm(request.POST or None, instance=posting)
    if request.method == "POST" and form.is_valid():
        posting_services.update_posting(posting=posting, data=form.cleaned_data)
        messages.success(request, _("Posting saved."))
        return redirect("staff:posting_edit", pk=posting.pk)
    return render(request, "staff/posting_form.html", {"form": form, "posting": posting})


@staff_view
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        posting_services.set_member(
            posting=posting, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
        )
        messages.success(request, _("Team updated."))
        return redirect("staff:posting_team", pk=posting.pk)
    return render(
        request,
        "staff/posting_team.html",
        {"posting": posting, "form": form, "members": selectors.team_of(posting)},
    )


@staff_view
@require_POST
def remove_member(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    membership = get_object_or_404(selectors.team_of(posting), pk=membership_id)
    posting_services.remove_member(membership=membership)
    messages.success(request, _("Removed from the team; their access ends now."))
    return redirect("staff:posting_team", pk=posting.pk)


@staff_view
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_status(
        request,
        pk,
        posting_services.publish_posting,
        _("Published: the posting is open for applications."),
    )


@staff_view
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_status(
        request,
        pk,
        posting_services.close_posting,
        _("Closed to new applications. The pipeline stays open."),
    )


def _change_status(
    request: HttpRequest, pk: int, change: Callable[..., Posting], success: str
) -> HttpResponse:
    posting = managed_posting(request, pk)
    try:
        change(posting=posting)
    except pipeline_services.PipelineError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return redirect("staff:posting_edit", pk=posting.pk)


@staff_view
@require_http_methods(["GET", "POST"])
def conclude(request: HttpRequest, pk: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    undecided = posting.applications.exclude(stage__in=DECIDED_STAGES).count()
    # Named on the page: they cannot be marked unsuccessful, and concluding ends them too.
    frozen = list(
        posting.applications.exclude(stage__in=DECIDED_STAGES)
        .filter(restricted=True)
        .select_related("candidate")
        .order_by("created_at")
    )
    form = ConcludeForm(request.POST or None)
    status = 200
    if request.method == "POST" and posting.concluded_at is None:
        if form.is_valid():
            try:
                pipeline_services.conclude_process(
                    posting=posting,
                    actor=actor_from(request),
                    reject_remaining=form.cleaned_data["reject_remaining"],
                    reason=form.cleaned_data["reason"],
                    notify=form.cleaned_data["notify"],
                )
            except pipeline_services.ConclusionBlocked as blocked:
                form.add_error(None, str(blocked.message))
                status = 409
            else:
                messages.success(request, _("The recruitment process is formally concluded."))
                return redirect("staff:posting_conclude", pk=posting.pk)
        else:
            status = 400
    return render(
        request,
        "staff/posting_conclude.html",
        {"posting": posting, "form": form, "undecided": undecided, "frozen": frozen},
        status=status,
    )
