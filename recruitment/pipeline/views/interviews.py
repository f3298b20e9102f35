"""Interviews: arranging, changing and cancelling them; "My interviews" and its calendar feed."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recruitment import access
from recruitment.models import Interview
from recruitment.pipeline import calendar, selectors
from recruitment.pipeline.forms import InterviewForm
from recruitment.pipeline.services import feeds, staff_language
from recruitment.pipeline.services import interviews as interview_services
from recruitment.staff import actor_from, deciding_application, staff_view


def _deciding_interview(request: HttpRequest, pk: Any) -> Interview:
    interview = get_object_or_404(
        Interview.objects.filter(
            application__in=access.applications_visible_to(request.user)
        ).select_related("application__posting"),
        pk=pk,
    )
    if not access.can_decide(request.user, interview.application.posting):
        raise PermissionDenied
    return interview


@staff_view
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, pk: Any) -> HttpResponse:
    """Arrange an interview on an application: its posting's recruiters, hiring managers
    and admins."""
    application = deciding_application(request, pk)
    form = InterviewForm(request.POST or None, posting=application.posting)
    if request.method == "POST" and form.is_valid():
        try:
            interview_services.schedule_interview(
                actor=actor_from(request), application_id=application.pk, details=form.details()
            )
        except interview_services.InterviewRefused as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Interview arranged; the invitations are on their way."))
            return redirect("staff:application", pk=application.pk)
    return render(
        request,
        "staff/interview_form.html",
        {"form": form, "application": application, "interview": None},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: Any) -> HttpResponse:
    interview = _deciding_interview(request, pk)
    application = interview.application
    if request.method == "POST":
        form = InterviewForm(request.POST, posting=application.posting)
        if form.is_valid():
            try:
                interview_services.reschedule_interview(
                    actor=actor_from(request), interview_id=interview.pk, details=form.details()
                )
            except interview_services.InterviewRefused as refused:
                messages.error(request, str(refused.message))
            else:
                messages.success(request, _("Interview changed; the updates are on their way."))
                return redirect("staff:application", pk=application.pk)
    else:
        form = InterviewForm.for_interview(interview, posting=application.posting)
    return render(
        request,
        "staff/interview_form.html",
        {"form": form, "application": application, "interview": interview},
    )


@staff_view
@require_POST
def cancel(request: HttpRequest, pk: Any) -> HttpResponse:
    interview = _deciding_interview(request, pk)
    try:
        interview_services.cancel_interview(actor=actor_from(request), interview_id=interview.pk)
    except interview_services.InterviewRefused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Interview cancelled; the cancellations are on their way."))
    return redirect("staff:application", pk=interview.application_id)


@staff_view
@require_GET
def my_interviews(request: HttpRequest) -> HttpResponse:
    """The signed-in user's upcoming interviews, and their calendar feed link's state."""
    upcoming = list(selectors.upcoming_interviews_of(request.user))
    return render(
        request,
        "staff/my_interviews.html",
        {
            "interviews": upcoming,
            "has_feed": feeds.has_feed(request.user),  # type: ignore[arg-type]
            "feed_url": request.session.pop("new_feed_url", ""),
        },
    )


@staff_view
@require_POST
def feed_link(request: HttpRequest) -> HttpResponse:
    """A new feed link (revoking the previous one), or revoke it ("revoke" in the POST).
    The new link is shown once; only its hash is stored."""
    user = actor_from(request).user
    if request.POST.get("action") == "revoke":
        feeds.revoke_feed_token(user=user)
        messages.success(request, _("Your calendar feed link is revoked."))
    else:
        token = feeds.new_feed_token(user=user)
        request.session["new_feed_url"] = request.build_absolute_uri(
            reverse("staff:interview_feed", kwargs={"token": token})
        )
        messages.success(
            request,
            _("Your new calendar feed link is below; any earlier link no longer works."),
        )
    return redirect("staff:my_interviews")


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar feed (no session: calendar apps fetch it by its secret link).
    Times and links to the applications only, never a candidate's name or contact data.
    A wrong or revoked token is a 404, like any unknown page."""
    user = feeds.user_for_feed_token(token)
    if user is None:
        raise Http404
    upcoming = selectors.upcoming_interviews_of(user)
    response = HttpResponse(
        # Calendar apps fetch it without a session or a language of their own: the language
        # the staff member chose for their emails.
        calendar.feed(upcoming, language=staff_language.email_language_of(user.pk)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
