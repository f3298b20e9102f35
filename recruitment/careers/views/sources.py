"""Staff pages of the careers domain (mounted by recruitment.workspace.urls): recording an
application received elsewhere, and the allow-list of tracked sources."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recruitment import access
from recruitment.careers import selectors, services
from recruitment.careers.forms import SourcedApplicationForm, SourceForm
from recruitment.models import Posting
from recruitment.questions import selectors as questions
from recruitment.questions.services import AnswersRefused, QuestionsChanged
from recruitment.staff import actor_from, managed_posting, staff_view

RECORD_TEMPLATE = "staff/application_record.html"


@staff_view
@require_http_methods(["GET", "POST"])
def record_application(request: HttpRequest, pk: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    form = SourcedApplicationForm(
        request.POST or None,
        request.FILES or None,
        sources=selectors.recordable_sources(),
        questions=questions.asked_by(posting),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                status, error = _record(request, posting, form)
            except QuestionsChanged as changed:
                # Shown again with the questions asked now, what was typed kept.
                form = SourcedApplicationForm(
                    request.POST,
                    sources=selectors.recordable_sources(),
                    questions=questions.asked_by(posting, fresh=True),
                )
                form.is_valid()
                status, error = 409, str(changed.message)
            if error is None:
                messages.success(
                    request,
                    _("Application recorded. The person has been told of it by email."),
                )
                return redirect("staff:pipeline", pk=posting.pk)
            form.add_error(None, error)
    form.show_questions_now()
    return render(
        request,
        RECORD_TEMPLATE,
        {"posting": posting, "form": form, "can_manage": True, "can_decide": True},
        status=status,
    )


def _record(
    request: HttpRequest, posting: Posting, form: SourcedApplicationForm
) -> tuple[int, str | None]:
    """Calls the service; (status, None) on success, else the status and the message."""
    data = form.cleaned_data
    applicant = services.SourcedApplicant(
        full_name=data["full_name"].strip(),
        email=data["email"],
        phone=data["phone"].strip(),
        cover_letter=data["cover_letter"],
        language=data["language"],
        source=data["source"].slug,
        answers=form.given_answers(),
    )
    try:
        services.record_sourced_application(
            posting=posting,
            applicant=applicant,
            cv=data["cv"],
            cv_filename=data["cv"].name or "",
            inspected=form.inspected_cv_or_error(),
            actor=actor_from(request),
        )
    except services.DuplicateApplication:
        return 409, _(
            "This email address has already applied to this posting: nothing was recorded. "
            "Find the application on the pipeline."
        )
    except services.PostingNotOpen:
        return 409, _("This posting is not open for applications: nothing was recorded.")
    except QuestionsChanged:
        raise  # the view shows the form again with the questions asked now
    except AnswersRefused as refused:
        # An answer breaks a rule the form did not catch.
        for question_id, message in refused.errors.items():
            form.add_error(f"question_{question_id}", message)
        return 400, str(refused.message)
    except services.SourceNotValid:
        return 400, _("Choose one of the active sources.")
    except services.ApplicationNotSaved:
        return 503, _(
            "The application could not be stored (storage or database unavailable): nothing "
            "was recorded. Please try again in a moment."
        )
    return 302, None


def _sources_manager(request: HttpRequest) -> None:
    if not access.can_manage_sources(request.user):
        raise Http404


@staff_view
@require_http_methods(["GET", "POST"])
def sources(request: HttpRequest) -> HttpResponse:
    _sources_manager(request)
    form = SourceForm(request.POST or None, adding=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                source = services.create_source(
                    slug=form.cleaned_data["slug"],
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                )
            except services.SourceRefused as refused:
                form.add_error(None, str(refused.message))
            else:
                messages.success(request, _("Source added: %(slug)s.") % {"slug": source.slug})
                return redirect("staff:sources")
    return render(
        request,
        "staff/sources.html",
        {"sources": selectors.sources(), "form": form},
        status=status,
    )


@staff_view
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _sources_manager(request)
    source = get_object_or_404(selectors.sources(), slug=slug)
    initial = {"name": source.name, "kind": source.kind, "active": source.active}
    form = SourceForm(request.POST or None, initial=initial, adding=False, source=source)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_source(
                    source=source,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    active=form.cleaned_data["active"],
                )
            except services.SourceRefused as refused:
                form.add_error(None, str(refused.message))
            else:
                messages.success(request, _("Source saved."))
                return redirect("staff:sources")
    return render(
        request, "staff/source_form.html", {"source": source, "form": form}, status=status
    )
