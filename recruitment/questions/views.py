"""The question editor on a posting (staff; mounted by recruitment.workspace.urls).

Its recruiters and admins only (others who see the posting: 403; everyone else: 404).
A question that asks for data the privacy notice does not list is saved with a plain
warning on the page (PRIVACY.md P18), never blocked in silence.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recruitment.models import Posting, Question
from recruitment.notices import services as privacy_texts
from recruitment.questions import selectors, sensitive, services
from recruitment.questions.forms import QuestionForm
from recruitment.staff import actor_from, managed_posting, staff_view

TEMPLATE = "staff/posting_questions.html"


def _warning(keys: list[str]) -> str:
    return _(
        "This question seems to ask for %(categories)s. The privacy notice does not list "
        "this kind of data, and candidates are promised we do not ask for it. Reword or "
        "remove the question, unless the privacy officer has a legal basis for it and "
        "publishes a notice that says so first."
    ) % {"categories": ", ".join(sensitive.category_names(keys))}


def _current_question(posting: Posting, question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.filter(posting=posting, retired_at__isnull=True), pk=question_id
    )


def _page(
    request: HttpRequest, posting: Posting, form: QuestionForm, *, status: int = 200
) -> HttpResponse:
    current = selectors.asked_by(posting, fresh=True)
    rows = [
        (
            question,
            sensitive.categories_asked([question.label, question.help_text, *question.choices]),
        )
        for question in current
    ]
    notice = privacy_texts.current_notice(timezone.now())
    context = {
        "posting": posting,
        "form": form,
        "rows": [(question, _warning(keys) if keys else "") for question, keys in rows],
        "retired": selectors.retired_versions_of(posting),
        # A notice published before questions existed names no categories: say so.
        "notice_lists_categories": "data_categories" in notice.content,
        "can_manage": True,
        "can_decide": True,
    }
    return render(request, TEMPLATE, context, status=status)


@staff_view
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The list of the posting's questions, and the form that adds one."""
    posting = managed_posting(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, posting, form, status=400)
        try:
            services.add_question(
                posting=posting, data=form.question_data(), actor=actor_from(request)
            )
        except services.QuestionRefused as refused:
            form.add_error(None, str(refused.message))
            return _page(request, posting, form, status=400)
        _said(request, form, _("Question added. It is on the application form from now on."))
        return redirect("staff:posting_questions", pk=posting.pk)
    return _page(request, posting, form)


def _said(request: HttpRequest, form: QuestionForm, success: str) -> None:
    messages.success(request, success)
    keys = form.sensitive_categories()
    if keys:
        messages.warning(request, _warning(keys))


@staff_view
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    """Changes a question: in place if nobody answered it, else as its next version."""
    posting = managed_posting(request, pk)
    question = _current_question(posting, question_id)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.edit_question(
                    question=question, data=form.question_data(), actor=actor_from(request)
                )
            except services.QuestionRefused as refused:
                form.add_error(None, str(refused.message))
            else:
                _said(request, form, _("Question saved."))
                return redirect("staff:posting_questions", pk=posting.pk)
    context = {
        "posting": posting,
        "question": question,
        "form": form,
        "answered": question.answers.exists(),
        "can_manage": True,
        "can_decide": True,
    }
    return render(request, "staff/posting_question_edit.html", context, status=status)


@staff_view
@require_POST
def remove(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    question = _current_question(posting, question_id)
    services.remove_question(question=question, actor=actor_from(request))
    messages.success(
        request,
        _(
            "Question removed from the form. Answers already given to it stay with their "
            "applications."
        ),
    )
    return redirect("staff:posting_questions", pk=posting.pk)


@staff_view
@require_POST
def move(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    posting = managed_posting(request, pk)
    question = _current_question(posting, question_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_question(question=question, offset=offset, actor=actor_from(request))
    return redirect("staff:posting_questions", pk=posting.pk)
