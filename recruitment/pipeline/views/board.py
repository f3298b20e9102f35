"""The pipeline board: columns per stage, search, load more, bulk decisions."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from recruitment import access
from recruitment.audit import services as audit
from recruitment.models import CAREERS_SITE, Application, Interview, Posting
from recruitment.pipeline import selectors
from recruitment.pipeline.forms import BulkUnsuccessfulForm
from recruitment.pipeline.services import stages as pipeline_services
from recruitment.staff import actor_from, safe_next, staff_view, uuid_url

Stage = Application.Stage


def _offset(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0


def board_context(
    request: HttpRequest, posting: Posting, params: QueryDict, *, role: str | None
) -> dict[str, Any]:
    """Everything the board shows to a user with `role` on the posting (`access.role_on`), in
    a constant number of queries (the counts, the cards' two)."""
    query = params.get("q", "").strip()[:100]
    review = params.get("review") == "1"
    only_stage = params.get("stage", "")
    if only_stage not in Stage.values:
        only_stage = ""
    offset = _offset(params.get("offset")) if only_stage else 0
    visible = access.posting_applications_visible_to(request.user, posting, role)
    counts = selectors.stage_counts(visible, query=query, review=review)
    shown = [
        (stage, label) for stage, label in Stage.choices if stage == only_stage or not only_stage
    ]
    pages = selectors.board_columns(
        visible,
        stages=[stage for stage, _ in shown],
        query=query,
        offset=offset,
        limit=selectors.BOARD_PAGE_SIZE if only_stage else selectors.BOARD_FIRST_PAGE,
        review=review,
    )
    stages = _stage_choices()
    columns = [
        _column(stage, str(label), pages[stage], total=counts[stage], offset=offset, stages=stages)
        for stage, label in shown
    ]
    return {
        "posting": posting,
        "columns": columns,
        "query": query,
        "review": review,
        "only_stage": only_stage,
        "offset": offset,
        "stages": stages,
        "can_decide": access.role_decides(role),
        "can_manage": access.role_manages(role),
        "board_url": _board_url(
            posting, query=query, stage=only_stage, offset=offset, review=review
        ),
    }


def _column(
    stage: str,
    label: str,
    page: list[Application],
    *,
    total: int,
    offset: int,
    stages: list[tuple[str, str]],
) -> dict[str, Any]:
    """One column as the board and its "load more" render it: `page` of its `total` cards,
    starting after `offset`, with where the next page starts (None: this is the last)."""
    cards = _labelled(page)
    shown_until = offset + len(cards)
    return {
        "stage": stage,
        "label": label,
        "count": total,
        "cards": cards,
        "move_options": _move_options(stages, selected=stage),
        "next_offset": shown_until if total > shown_until else None,
    }


def _board_url(
    posting: Posting, *, query: str, stage: str, offset: int, review: bool = False
) -> str:
    """The board with this search, filter and page: where forms on it come back to."""
    params = {key: value for key, value in (("q", query), ("stage", stage)) if value}
    if review:
        params["review"] = "1"
    if offset:
        params["offset"] = str(offset)
    base = reverse("staff:pipeline", kwargs={"pk": posting.pk})
    return f"{base}?{urlencode(params)}" if params else base


@staff_view
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(access.postings_with_role(request.user), pk=pk)
    context = board_context(request, posting, request.GET, role=posting.viewer_role)  # type: ignore[attr-defined]
    audit.record_access(
        actor=actor_from(request), action=audit.Action.VIEW_PIPELINE, posting_id=posting.pk
    )
    return render(request, "staff/pipeline.html", context)


@staff_view
@require_GET
def column(request: HttpRequest, pk: int, stage: str) -> HttpResponse:
    """The next page of one column (htmx "load more")."""
    posting = get_object_or_404(access.postings_with_role(request.user), pk=pk)
    if stage not in Stage.values:
        raise Http404
    query = request.GET.get("q", "").strip()[:100]
    offset = _offset(request.GET.get("offset"))
    review = request.GET.get("review") == "1"
    role = posting.viewer_role  # type: ignore[attr-defined]
    visible = access.posting_applications_visible_to(request.user, posting, role)
    page = selectors.board_columns(
        visible, stages=[stage], query=query, offset=offset, review=review
    )[stage]
    total = selectors.stage_counts(visible, query=query, review=review)[stage]
    return render(
        request,
        "staff/_cards.html",
        {
            "posting": posting,
            "column": _column(
                stage,
                str(Stage(stage).label),
                page,
                total=total,
                offset=offset,
                stages=_stage_choices(),
            ),
            "query": query,
            "review": review,
            "can_decide": access.role_decides(role),
            "board_url": reverse("staff:pipeline", kwargs={"pk": posting.pk}),
        },
    )


@staff_view
@require_POST
def bulk_unsuccessful(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(access.postings_visible_to(request.user), pk=pk)
    if not access.can_decide(request.user, posting):
        raise PermissionDenied
    visible = access.applications_visible_to(request.user).filter(posting=posting)
    form = BulkUnsuccessfulForm(request.POST, applications=visible)
    if form.is_valid():
        try:
            changed = pipeline_services.mark_unsuccessful(
                application_ids=[
                    application.pk for application in form.cleaned_data["applications"]
                ],
                posting=posting,
                actor=actor_from(request),
                reason=form.cleaned_data["reason"],
                notify=form.cleaned_data["notify"],
            )
        except pipeline_services.PipelineError as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(
                request, _("%(count)d application(s) marked unsuccessful.") % {"count": changed}
            )
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
    return redirect(safe_next(request) or reverse("staff:pipeline", kwargs={"pk": posting.pk}))


def _stage_choices() -> list[tuple[str, str]]:
    """The stages with their labels translated once: every card's move menu lists them all,
    and a lazy label would be translated again for each of the board's hundreds of options."""
    return [(value, str(label)) for value, label in Stage.choices]


# The board shows up to 7 x 10 cards. Measured (bench/pages.py), their texts cost most of
# its render when the template built them: four {% blocktranslate %} and a loop over every
# stage for the move menu, on each card. So the view builds them, once per card (the same
# msgids, so the same translations) and the move menu's options once per column (a column's
# cards all sit in its stage); the template only escapes and prints them.


def _labelled(cards: list[Application]) -> list[Application]:
    """`cards` (in place) with the texts each card shows, in the active language, and its
    two links."""
    page_url = uuid_url("staff:application")
    move_url = uuid_url("staff:application_move")
    interview_labels = interview_badges()
    for card in cards:
        card.url = page_url(card.pk)  # type: ignore[attr-defined]
        card.move_url = move_url(card.pk)  # type: ignore[attr-defined]
        name = card.full_name
        card.select_label = _("Select %(name)s") % {"name": name}  # type: ignore[attr-defined]
        card.move_label = _("Move %(name)s to") % {"name": name}  # type: ignore[attr-defined]
        card.applied_label = _("Applied %(date)s") % {  # type: ignore[attr-defined]
            "date": date_format(timezone.localtime(card.created_at), "SHORT_DATE_FORMAT")
        }
        # Only an application from elsewhere names its source: most came through the site.
        card.source_label = (  # type: ignore[attr-defined]
            "" if card.source_id == CAREERS_SITE else card.source.label
        )
        answer = card.interview_answer  # type: ignore[attr-defined]
        card.interview_label = (  # type: ignore[attr-defined]
            interview_labels[answer] if answer else ""
        )
        card.interview_class = answer or ""  # type: ignore[attr-defined]
        count = card.note_count  # type: ignore[attr-defined]
        card.notes_label = ngettext(  # type: ignore[attr-defined]
            "%(count)s note", "%(count)s notes", count
        ) % {"count": count}
    return cards


def interview_badges() -> dict[str, str]:
    """What a card's badge says of its next interview, by the candidate's answer."""
    return {
        Interview.Answer.NONE: _("Interview: no answer yet"),
        Interview.Answer.ACCEPTED: _("Interview accepted"),
        Interview.Answer.DECLINED: _("Interview declined"),
        Interview.Answer.NEW_TIME: _("Interview: another time asked"),
    }


def _move_options(stages: list[tuple[str, str]], *, selected: str) -> SafeString:
    """The <option>s of a card's move menu, `selected` chosen (escaped by format_html)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in stages),
    )
