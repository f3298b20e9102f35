"""The candidate privacy portal (PRIVACY.md P4, P10-P16): no passwords, an emailed link.

A link (`/privacy/access/<token>/`) is checked but not spent on GET (mail scanners follow
links); it is parked in the session and the visitor is redirected to a URL without it,
where one POST spends it and opens a short portal session. Wrong, expired, used and
foreign tokens all get the same 404. Every portal page is `no-store` and sends no referrer.
A page's HTML narrows that back to `same-origin` (templates/portal/base.html): its own forms
must carry their Origin (under `no-referrer`, browsers send `Origin: null`, which CSRF
protection refuses), while links to other sites still carry nothing.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ats import throttling
from ats.dates import local_date_text
from recruitment.careers.services import normalise_email
from recruitment.cvs import storage
from recruitment.models import (
    DECIDED_STAGES,
    Application,
    Candidate,
    DataExport,
    DataSubjectRequest,
    PortalToken,
    RetentionConsent,
)
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import consent_text_in
from recruitment.pipeline.services import interviews as interview_services
from recruitment.pipeline.services import messaging
from recruitment.retention.services import consents
from recruitment.rights import selectors
from recruitment.rights.forms import (
    ConfirmErasureForm,
    ConsentForm,
    DetailsForm,
    InterviewAnswerForm,
    PrivacyRequestForm,
    ReplaceCvForm,
    ReplyForm,
    RequestLinkForm,
)
from recruitment.rights.services import exports, portal_access, register, self_service

CANDIDATE_KEY = "portal_candidate"
PENDING_KEY = "portal_pending_token"
NEXT_KEY = "portal_next"

View = Callable[..., HttpResponse]

Stage = Application.Stage
# The stages in the candidate's words.
STAGE_WORDS = {
    Stage.APPLIED: gettext_lazy("Received: not reviewed yet"),
    Stage.SCREENING: gettext_lazy("Being reviewed"),
    Stage.INTERVIEW: gettext_lazy("Interviews"),
    Stage.OFFER: gettext_lazy("Offer made"),
    Stage.HIRED: gettext_lazy("Hired"),
    Stage.UNSUCCESSFUL: gettext_lazy("Not selected"),
    Stage.WITHDRAWN: gettext_lazy("Withdrawn"),
}


def portal_page(view: View) -> View:
    """No caching anywhere, no referrer (the URLs are personal; the token's redirect
    carries none onwards; the page's own forms: see the module docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return never_cache(wrapped)


def candidate_page(view: View) -> View:
    """A page of an open portal session; without one, back to the link request page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        candidate = _session_candidate(request)
        if candidate is None:
            messages.info(request, _("Your portal session has ended. Ask for a new link below."))
            return redirect("privacy:request_link")
        # Sliding expiry: the session ends after PORTAL_SESSION_MINUTES without activity.
        request.session.set_expiry(settings.PORTAL_SESSION_MINUTES * 60)
        return view(request, candidate, *args, **kwargs)

    return portal_page(wrapped)


def _session_candidate(request: HttpRequest) -> Candidate | None:
    candidate_id = request.session.get(CANDIDATE_KEY)
    if not candidate_id:
        return None
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None:  # erased meanwhile
        request.session.flush()
    return candidate


def _language(candidate: Candidate) -> str:
    latest = candidate.applications.order_by("-created_at").first()
    return latest.language if latest else (get_language() or settings.LANGUAGE_CODE)


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "portal/rate_limited.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- Getting in ---------------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Anyone may ask for a link; the answer never says whether we hold the address."""
    form = RequestLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, retry_after = throttling.hit(
            "portal-link", request, rate=settings.PORTAL_LINK_RATE_LIMIT
        )
        if not allowed:
            return _too_many(request, retry_after)
        email = normalise_email(form.cleaned_data["email"])
        # Per address too, silently: a visible limit would reveal that the address is known.
        address_allowed, _retry = throttling.hit_identity(
            "portal-link-address", email, rate=settings.PORTAL_LINK_RATE_LIMIT
        )
        if address_allowed:
            # The same work for every address: known or not is decided later, by a worker.
            portal_access.request_access_link(
                email=email, language=get_language() or settings.LANGUAGE_CODE
            )
        return render(request, "portal/link_sent.html")
    return render(request, "portal/request_link.html", {"form": form})


def _open_link(request: HttpRequest, token: str, *, purpose: str, next_page: str) -> HttpResponse:
    allowed, retry_after = throttling.hit(
        "portal-token", request, rate=settings.PORTAL_TOKEN_RATE_LIMIT
    )
    if not allowed:
        return _too_many(request, retry_after)
    found = portal_access.find_usable(token=token, purpose=purpose)
    if found is None:
        raise Http404
    request.session[PENDING_KEY] = found.token_hash
    request.session[NEXT_KEY] = next_page
    return redirect("privacy:continue")


@portal_page
@require_http_methods(["GET"])
def access(request: HttpRequest, token: str) -> HttpResponse:
    return _open_link(request, token, purpose=PortalToken.Purpose.ACCESS, next_page="")


@portal_page
@require_http_methods(["GET"])
def renew(request: HttpRequest, token: str) -> HttpResponse:
    return _open_link(request, token, purpose=PortalToken.Purpose.RENEWAL, next_page="#consent")


@portal_page
@require_http_methods(["GET", "POST"])
def continue_to_portal(request: HttpRequest) -> HttpResponse:
    """One POST spends the parked token and opens the portal session."""
    hashed = request.session.get(PENDING_KEY)
    if not hashed:
        raise Http404
    if request.method == "GET":
        return render(request, "portal/continue.html")
    next_page = request.session.get(NEXT_KEY, "")
    candidate = portal_access.redeem(hashed=hashed)
    if candidate is None:
        request.session.pop(PENDING_KEY, None)
        raise Http404
    request.session.cycle_key()  # a new session id for the signed-in visitor
    request.session.pop(PENDING_KEY, None)
    request.session.pop(NEXT_KEY, None)
    request.session[CANDIDATE_KEY] = str(candidate.pk)
    request.session.set_expiry(settings.PORTAL_SESSION_MINUTES * 60)
    return redirect(f"{_home_url()}{next_page}")


def _home_url() -> str:
    return reverse("privacy:portal")


@portal_page
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    messages.info(request, _("You have left the privacy portal."))
    return redirect("privacy:request_link")


# --- The portal -----------------------------------------------------------------------------


@candidate_page
@require_http_methods(["GET"])
def portal(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    overview = selectors.portal_overview(candidate)
    upcoming = selectors.upcoming_interviews_by_application(candidate)
    # Giving or renewing a consent is agreeing to the version in effect now; an active
    # consent keeps the text it was given under.
    consent_text = privacy_texts.current_consent_text()
    active = overview.active_consent
    return render(
        request,
        "portal/home.html",
        {
            "candidate": candidate,
            "overview": overview,
            "applications": [
                (
                    item,
                    STAGE_WORDS[Stage(item.application.stage)],
                    upcoming.get(item.application.pk, []),
                )
                for item in overview.applications
            ],
            "answer_form": InterviewAnswerForm(),
            "decided_stages": DECIDED_STAGES,
            **_export_progress(overview.exports),
            "consent_text": consent_text_in(consent_text, get_language() or settings.LANGUAGE_CODE),
            "consent_months": consent_text.months,
            "consent_text_version": consent_text.number,
            "active_consent_text": privacy_texts.consent_text_of(active) if active else None,
            "processors": settings.PROCESSORS,
            "authority": settings.SUPERVISORY_AUTHORITY,
            "deadline_days": settings.PRIVACY_REQUEST_DEADLINE_DAYS,
            "extension_days": settings.PRIVACY_REQUEST_EXTENSION_DAYS,
        },
    )


def _export_progress(recent: list[DataExport]) -> dict[str, Any]:
    """Whether the page reloads itself to show a build finishing, and whether one seems
    stuck. Only for a bounded time (exports.PORTAL_REFRESH_FOR): every reload is activity
    that keeps the portal session alive, so a stuck build must not reload it for ever."""
    now = timezone.now()
    # A reviewed export is built from its release on.
    started = [
        e.reviewed_at or e.created_at for e in recent if e.status == DataExport.Status.PENDING
    ]
    since = now - exports.PORTAL_REFRESH_FOR
    return {
        "export_refresh": any(moment > since for moment in started),
        "export_slow": any(moment <= since for moment in started),
    }


@candidate_page
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    initial = {"full_name": candidate.full_name, "phone": candidate.phone}
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/details.html", {"form": form}, status=400)
        try:
            self_service.correct_details(
                candidate=candidate,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
            )
        except self_service.ActionRefused as refused:
            messages.error(request, str(refused.message))
            return redirect("privacy:portal")
        messages.success(request, _("Your contact details have been updated."))
        return redirect("privacy:portal")
    return render(request, "portal/details.html", {"form": form, "candidate": candidate})


@candidate_page
@require_http_methods(["GET", "POST"])
def replace_cv(request: HttpRequest, candidate: Candidate, application_id: UUID) -> HttpResponse:
    application = selectors.portal_applications(candidate).filter(pk=application_id).first()
    if application is None:
        raise Http404
    form = ReplaceCvForm(request.POST or None, request.FILES or None)
    context = {"form": form, "application": application}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/replace_cv.html", context, status=400)
        upload = form.cleaned_data["cv"]
        try:
            self_service.replace_cv(
                candidate=candidate,
                application_id=application.pk,
                cv=upload,
                cv_filename=upload.name or "",
                inspected=form.inspected_cv_or_error(),
            )
        except self_service.ActionRefused as refused:
            messages.error(request, str(refused.message))
            return redirect("privacy:portal")
        except storage.StorageUnavailable:
            context["not_saved"] = True
            return render(request, "portal/replace_cv.html", context, status=503)
        messages.success(request, _("Your new CV has been saved; the old one is deleted."))
        return redirect("privacy:portal")
    return render(request, "portal/replace_cv.html", context)


@candidate_page
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, candidate: Candidate, application_id: UUID) -> HttpResponse:
    application = selectors.portal_applications(candidate).filter(pk=application_id).first()
    if application is None:
        raise Http404
    if request.method == "POST":
        try:
            self_service.withdraw_application(candidate=candidate, application_id=application.pk)
        except self_service.ActionRefused as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("privacy:portal")
    return render(request, "portal/withdraw.html", {"application": application})


@candidate_page
@require_http_methods(["GET", "POST"])
def messages_page(request: HttpRequest, candidate: Candidate, application_id: UUID) -> HttpResponse:
    """The conversation about one application: what staff wrote, and a box to answer."""
    application = selectors.portal_applications(candidate).filter(pk=application_id).first()
    if application is None:
        raise Http404
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                messaging.reply(
                    candidate=candidate,
                    application_id=application.pk,
                    body=form.cleaned_data["body"],
                )
            except messaging.MessageRefused as refused:
                messages.error(request, str(refused.message))
            else:
                messages.success(request, _("Your message has been sent to the recruiters."))
            return redirect("privacy:messages", application_id=application.pk)
        status = 400
    return render(
        request,
        "portal/messages.html",
        {
            "application": application,
            "thread": selectors.thread_for_candidate(application),
            "form": form,
        },
        status=status,
    )


@candidate_page
@require_POST
def answer_interview(
    request: HttpRequest, candidate: Candidate, interview_id: UUID
) -> HttpResponse:
    """Accept, decline or ask for another time: only the candidate's own interviews."""
    form = InterviewAnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(reverse("privacy:portal") + f"#interview-{interview_id}")
    try:
        interview_services.answer_interview(
            candidate_id=candidate.pk,
            interview_id=interview_id,
            answer=form.cleaned_data["answer"],
            message=form.cleaned_data["message"],
        )
    except interview_services.InterviewRefused as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Thank you: we have your answer."))
    return redirect(reverse("privacy:portal") + f"#interview-{interview_id}")


@candidate_page
@require_POST
def consent(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """Give (or renew), confirm (one ticked on an application form) and withdraw the
    talent-pool consent: one click each (P4, P22)."""
    form = ConsentForm(request.POST)
    if not form.is_valid():
        raise Http404
    if form.cleaned_data["action"] == "confirm":
        if form.cleaned_data["consent"] is None:
            raise Http404
        try:
            consents.confirm_consent(candidate=candidate, consent_id=form.cleaned_data["consent"])
        except consents.ConsentRefused as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Thank you: we will keep your data for future openings."))
        return redirect(f"{_home_url()}#consent")
    if form.cleaned_data["action"] == "give":
        try:
            consents.give_consent(
                candidate=candidate,
                language=get_language() or settings.LANGUAGE_CODE,
                channel=RetentionConsent.Channel.PORTAL,
                consent_text_version=form.cleaned_data["consent_text_version"],
            )
        except consents.ConsentRefused as refused:
            messages.error(request, str(refused.message))
        else:
            messages.success(request, _("Thank you: we will keep your data for future openings."))
        return redirect(f"{_home_url()}#consent")
    # Declining one unconfirmed consent withdraws that one; "withdraw" withdraws them all.
    chosen = form.cleaned_data["consent"]
    withdrawn = 0
    for active in [*selectors.active_consents(candidate), *selectors.pending_consents(candidate)]:
        if chosen is None or active.pk == chosen:
            consents.withdraw_consent(consent=active)
            withdrawn += 1
    if withdrawn:
        register.record_self_service(
            candidate=candidate,
            kind=DataSubjectRequest.Kind.CONSENT_WITHDRAWAL,
            resolution=_("The candidate withdrew their consent in the portal."),
        )
    messages.success(
        request,
        _(
            "Your consent is withdrawn. Applications whose recruitment process has ended "
            "are now deleted; the others when their process ends."
        ),
    )
    return redirect(f"{_home_url()}#consent")


@candidate_page
@require_POST
def export(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    try:
        export = exports.request_portal_export(candidate=candidate)
    except (Candidate.DoesNotExist, register.RequestRefused):
        raise Http404 from None  # erased a moment ago
    if export.status == DataExport.Status.IN_REVIEW:
        messages.success(
            request,
            _(
                "Your copy holds what other people wrote about you (for example interview "
                "notes). A privacy officer reviews those parts first; the date it will be "
                "ready by is shown below."
            ),
        )
    else:
        messages.success(
            request, _("Your download is being prepared. It appears below in a moment.")
        )
    return redirect(f"{_home_url()}#download")


@candidate_page
@require_http_methods(["GET"])
def download(request: HttpRequest, candidate: Candidate, export_id: UUID) -> HttpResponse:
    ready = candidate.exports.filter(pk=export_id, status=DataExport.Status.READY).first()
    if ready is None:
        raise Http404
    try:
        return redirect(exports.export_download_url(export=ready))
    except exports.ExportNotReady:  # expired a moment ago
        raise Http404 from None


@candidate_page
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = ConfirmErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kept = self_service.request_erasure(candidate=candidate)
        if kept:
            # What the holds keep stays visible in the portal until it goes too.
            return render(
                request,
                "portal/erase_kept.html",
                {"holds": kept, "authority": settings.SUPERVISORY_AUTHORITY},
            )
        request.session.flush()  # the portal closes with the data
        return render(request, "portal/erased.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/erase.html", {"form": form}, status=status)


@candidate_page
@require_http_methods(["GET", "POST"])
def privacy_request(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = PrivacyRequestForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "portal/request.html", {"form": form}, status=400)
        kind = form.cleaned_data["kind"]
        service = (
            self_service.restrict_processing
            if kind == DataSubjectRequest.Kind.RESTRICTION
            else self_service.object_to_processing
        )
        try:
            created = service(candidate=candidate, details=form.cleaned_data["details"])
        except self_service.ActionRefused as refused:
            messages.error(request, str(refused.message))
            return redirect("privacy:portal")
        messages.success(
            request,
            _("Your request has been received. We will answer by %(date)s.")
            % {"date": local_date_text(created.due_at)},
        )
        return redirect(f"{_home_url()}#requests")
    return render(request, "portal/request.html", {"form": form})
