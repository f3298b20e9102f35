"""The talent pool's pages: the search, a person, their CV, invitations to apply.
Recruiters and admins only (selectors.may_use_pool); for everyone else the pages do not
exist (404). Inviting needs an open posting the recruiter manages (the service checks)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from recruitment.audit import services as audit
from recruitment.cvs import storage
from recruitment.models import Candidate, CurriculumVitae
from recruitment.pool import selectors
from recruitment.pool.forms import InviteForm, PoolSearchForm
from recruitment.pool.services import audit as pool_audit
from recruitment.pool.services import invitations
from recruitment.staff import actor_from, staff_view


def _pool_user(request: HttpRequest) -> None:
    if not selectors.may_use_pool(request.user):
        raise Http404


@staff_view
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The pool: the search box, the filters and a page of people, audited."""
    _pool_user(request)
    now = timezone.now()
    form = PoolSearchForm(request.GET or None, postings=selectors.posting_choices())
    page = None
    if form.is_bound and not form.is_valid():
        pass  # the errors are shown; nothing is searched
    else:
        filters = form.filters() if form.is_bound else selectors.PoolFilters()
        page = selectors.search_pool(filters, now=now, page_number=request.GET.get("page"))
        pool_audit.record_search(actor=actor_from(request), filters=filters)
    return render(
        request,
        "staff/pool/search.html",
        {
            "form": form,
            "page": page,
            "searched": bool(form.is_bound and form.data.get("q")),
            "invite_form": _invite_form(request, now),
        },
    )


def _invite_form(request: HttpRequest, now: Any, **initial: Any) -> InviteForm | None:
    """The form to invite people, if there is an open posting the user manages. Only
    the postings' titles are read: the form is shown here, not submitted."""
    postings = list(selectors.invitable_postings(request.user, now).only("pk", "title"))
    return InviteForm(initial=initial, postings=postings) if postings else None


@staff_view
@require_GET
def person(request: HttpRequest, pk: Any) -> HttpResponse:
    """One person of the pool: their pool applications, CVs and consent, audited."""
    _pool_user(request)
    now = timezone.now()
    try:
        candidate, applications = selectors.pool_person(pk, now=now)
    except Candidate.DoesNotExist:
        raise Http404 from None
    pool_audit.record_person_opened(actor=actor_from(request), applications=applications)
    since = now - timedelta(days=settings.POOL_INVITATION_PERIOD_DAYS)
    return render(
        request,
        "staff/pool/person.html",
        {
            "candidate": candidate,
            "applications": applications,
            "consent_expires_at": selectors.consent_expiry(candidate, now=now),
            "invitations": selectors.invitations_of(candidate.pk),
            "invited_recently": selectors.invitations_since(candidate.pk, since),
            "limit": settings.POOL_INVITATIONS_PER_PERSON,
            "period_days": settings.POOL_INVITATION_PERIOD_DAYS,
            "now": now,
            "invite_form": _invite_form(request, now, candidates=[candidate.pk]),
        },
    )


@staff_view
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    """Invites one person (from their page) or those ticked on the search page to apply to
    an open posting; shows what became of each (invited, or why not)."""
    _pool_user(request)
    now = timezone.now()
    form = InviteForm(request.POST, postings=list(selectors.invitable_postings(request.user, now)))
    outcomes = None
    if form.is_valid():
        try:
            outcomes = invitations.invite(
                actor=actor_from(request),
                posting=form.cleaned_data["posting"],
                candidate_ids=form.cleaned_data["candidates"],
                now=now,
            )
        except invitations.PostingNotInvitable as refused:
            form.add_error("posting", str(refused.message))
    return render(
        request,
        "staff/pool/invited.html",
        {"form": form, "outcomes": outcomes, "posting": form.cleaned_data.get("posting")},
        status=200 if outcomes is not None else 400,
    )


@staff_view
@require_GET
def download_cv(request: HttpRequest, pk: Any, cv_id: Any) -> HttpResponse:
    """A pool application's CV: checked, audited, then a 60-second download link."""
    _pool_user(request)
    try:
        cv = selectors.pool_cv(pk, cv_id, now=timezone.now())
    except CurriculumVitae.DoesNotExist:
        raise Http404 from None
    audit.record_application_access(
        actor=actor_from(request), action=audit.Action.DOWNLOAD_CV, application=cv.application
    )
    url = storage.presigned_cv_url(cv.storage_key, content_type=cv.content_type)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response
