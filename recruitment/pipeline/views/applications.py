"""One application: its page, stage changes, CV download, notes, interviewers."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recruitment import access
from recruitment.audit import services as audit
from recruitment.cvs import storage
from recruitment.models import Application
from recruitment.pipeline import selectors
from recruitment.pipeline.forms import AssignForm, MoveForm, NoteForm
from recruitment.pipeline.services import messaging
from recruitment.pipeline.services import notes as note_services
from recruitment.pipeline.services import postings as posting_services
from recruitment.pipeline.services import stages as pipeline_services
from recruitment.pipeline.views.board import board_context
from recruitment.questions import answers as answer_rules
from recruitment.questions import review as answer_review
from recruitment.questions import selectors as questions
from recruitment.retention.services import purge
from recruitment.retention.services import schedule as retention
from recruitment.staff import actor_from, deciding_application, safe_next, staff_view


def _visible_application(request: HttpRequest, pk: Any) -> Application:
    return get_object_or_404(
        access.applications_visible_to(request.user).select_related("posting", "candidate"), pk=pk
    )


def _back_to(application: Application) -> HttpResponseRedirect:
    return redirect("staff:application", pk=application.pk)


@staff_view
@require_GET
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    try:
        application = selectors.application_for_detail(
            access.applications_with_role(request.user), pk
        )
    except Application.DoesNotExist:
        raise Http404 from None
    audit.record_application_access(
        actor=actor_from(request), action=audit.Action.VIEW_APPLICATION, application=application
    )
    now = timezone.now()
    consents = list(application.candidate.consents.all())
    role = application.viewer_role  # type: ignore[attr-defined]
    can_decide = access.role_decides(role)
    # Privacy officers and admins answer access requests that arrive by email (P10).
    can_export = access.can_manage_retention(request.user)
    # Each answer with the exact question version it answered.
    answers = [
        (answer, answer_rules.shown(answer.question, answer.value))
        for answer in questions.answers_of(application)
    ]
    return render(
        request,
        "staff/application.html",
        {
            "application": application,
            "candidate": application.candidate,
            "posting": application.posting,
            "cvs": application.cvs.all(),
            "events": application.events.all(),
            "notes": application.notes.all(),
            "assignments": application.assignments.all(),
            "consents": consents,
            "answers": answers,
            "knocked_out": any(answer.knocked_out for answer, _shown in answers),
            "needs_review": application.answers_reviewed_at is None
            and any(answer.knocked_out for answer, _shown in answers),
            "review_refusal": answer_review.RESTRICTED if application.restricted else "",
            "valid_consent": next(
                (c for c in consents if retention.covers(c, application) and c.expires_at > now),
                None,
            ),
            "can_decide": can_decide,
            "can_flag_under_age": access.role_flags_under_age(role),
            "is_admin": access.is_admin(request.user),
            "move_form": MoveForm(initial={"to_stage": application.stage}),
            "note_form": NoteForm(application=application),
            "interviews": selectors.interviews_of(application),
            "assign_form": AssignForm(posting=application.posting) if can_decide else None,
            "stages": Application.Stage.choices,
            # The data export panel is the rights domain's (recruitment.templatetags).
            "can_export": can_export,
            # Issue 20: the conversation, for those who write to candidates.
            "thread": selectors.thread_of(application) if can_decide else [],
            "message_refusal": messaging.refusal_for(application) if can_decide else "",
        },
    )


@staff_view
@require_POST
def move(request: HttpRequest, pk: Any) -> HttpResponse:
    application = deciding_application(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage to move the application to."))
    else:
        try:
            pipeline_services.move_application(
                application_id=application.pk,
                to_stage=form.cleaned_data["to_stage"],
                actor=actor_from(request),
                reason=form.cleaned_data["reason"],
                notify=form.cleaned_data["notify"],
            )
        except pipeline_services.PipelineError as error:
            messages.error(request, str(error.message))
    if request.htmx:  # type: ignore[attr-defined]
        # Drag and drop: answer with the refreshed board, keeping its search and filter.
        params = request.POST.copy()
        role = access.role_on(request.user, application.posting)
        context = board_context(request, application.posting, params, role=role)
        return render(request, "staff/_board.html", context)
    return redirect(safe_next(request) or reverse("staff:application", kwargs={"pk": pk}))


@staff_view
@require_GET
def download_cv(request: HttpRequest, pk: Any, cv_id: Any) -> HttpResponse:
    """Checks access, audits, and sends the browser to a 60-second download link."""
    application = _visible_application(request, pk)
    cv = get_object_or_404(application.cvs.all(), pk=cv_id)
    audit.record_application_access(
        actor=actor_from(request), action=audit.Action.DOWNLOAD_CV, application=application
    )
    # The original file name is stored with the object, never put in the link.
    url = storage.presigned_cv_url(cv.storage_key, content_type=cv.content_type)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response


@staff_view
@require_POST
def add_note(request: HttpRequest, pk: Any) -> HttpResponse:
    application = _visible_application(request, pk)
    form = NoteForm(request.POST, application=application)
    if form.is_valid():
        note_services.add_note(
            application=application, actor=actor_from(request), **form.cleaned_data
        )
        messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note was not saved: %(errors)s") % {"errors": _errors(form)})
    return _back_to(application)


@staff_view
@require_http_methods(["GET", "POST"])
def edit_note(request: HttpRequest, pk: Any) -> HttpResponse:
    note = get_object_or_404(
        access.notes_visible_to(request.user).select_related("application"), pk=pk
    )
    if not access.can_change_note(request.user, note):
        raise PermissionDenied
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        # Re-read: ModelForm validation already copied the new values onto `note`.
        fresh = get_object_or_404(access.notes_visible_to(request.user), pk=pk)
        note_services.update_note(note=fresh, actor=actor_from(request), **form.cleaned_data)
        messages.success(request, _("Note saved."))
        return _back_to(note.application)
    return render(request, "staff/note_form.html", {"form": form, "note": note})


@staff_view
@require_POST
def delete_note(request: HttpRequest, pk: Any) -> HttpResponse:
    note = get_object_or_404(
        access.notes_visible_to(request.user).select_related("application"), pk=pk
    )
    application = note.application
    note_services.delete_note(note=note, actor=actor_from(request))
    messages.success(request, _("Note deleted."))
    return _back_to(application)


@staff_view
@require_POST
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
    application = deciding_application(request, pk)
    form = AssignForm(request.POST, posting=application.posting)
    if form.is_valid():
        posting_services.assign_interviewer(
            application=application,
            interviewer=form.cleaned_data["interviewer"],
            actor=actor_from(request),
        )
        messages.success(request, _("Interviewer assigned."))
    else:
        messages.error(request, _("Choose an interviewer from this posting's team."))
    return _back_to(application)


@staff_view
@require_POST
def unassign(request: HttpRequest, pk: Any, user_id: int) -> HttpResponse:
    application = deciding_application(request, pk)
    interviewer = get_object_or_404(get_user_model(), pk=user_id)
    posting_services.unassign_interviewer(
        application=application, interviewer=interviewer, actor=actor_from(request)
    )
    messages.success(request, _("Interviewer unassigned."))
    return _back_to(application)


@staff_view
@require_POST
def flag_under_age(request: HttpRequest, pk: Any) -> HttpResponse:
    """PRIVACY.md P17: an under-age applicant's data is erased at once."""
    application = _visible_application(request, pk)
    if not access.can_flag_under_age(request.user, application.posting):
        raise PermissionDenied
    posting_id = application.posting_id
    outcome = purge.erase_now(application=application, actor=actor_from(request))
    if outcome == purge.Outcome.ERASED:
        messages.success(request, _("The application was flagged as under-age and erased."))
        return redirect("staff:pipeline", pk=posting_id)
    if outcome == purge.Outcome.FAILED:
        messages.error(
            request,
            _(
                "The application is flagged as under-age, but object storage is unavailable, "
                "so it could not be erased yet. It will be erased automatically as soon as "
                "storage is back."
            ),
        )
    else:
        messages.error(
            request,
            _(
                "The application is flagged as under-age but is not erased: a legal hold or a "
                "restriction keeps it. The privacy officer decides how to proceed."
            ),
        )
    return _back_to(application)


@staff_view
@require_POST
def review_answers(request: HttpRequest, pk: Any) -> HttpResponse:
    """A person read the answers a knock-out flagged: the flag leaves the board's review
    filter. Decides nothing about the application."""
    application = deciding_application(request, pk)
    try:
        answer_review.mark_answers_reviewed(
            actor=actor_from(request), application_id=application.pk
        )
    except answer_review.ReviewRefused as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(
            request,
            _("The flagged answers are marked as reviewed. The application's stage is unchanged."),
        )
    return _back_to(application)


def _errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
