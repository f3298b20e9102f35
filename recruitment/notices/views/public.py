"""The public privacy notice for applicants (PRIVACY.md P19), as published.

The page shows a published version's stored text (rendered once, when it was published, in
every language), never the live settings or a fresh rendering: what it says changes only
when staff publish a new version, whatever a deploy does to the template or the catalogues.
`?version=N` shows an earlier version. A version scheduled for later exists only for privacy
officers and admins (to check it before it takes effect); for everyone else it is a 404, like
a number that was never published.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from recruitment import access
from recruitment.notices import selectors
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import notice_text_in


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    staff = access.can_manage_retention(request.user)
    current = privacy_texts.current_notice(now)
    shown = current
    requested = request.GET.get("version", "")
    if requested:
        if not (requested.isascii() and requested.isdigit()):
            raise Http404
        found = selectors.notice_version(number=int(requested), now=now, include_scheduled=staff)
        if found is None:
            raise Http404
        shown = found
    language = get_language() or settings.LANGUAGE_CODE
    text_language, text = notice_text_in(shown, language)
    return render(
        request,
        "privacy/notice.html",
        {
            "version": shown,
            "current": current,
            "scheduled": shown.effective_at > now,
            "notice_text": text,
            # Set when the version was not published in the reader's language.
            "other_language": text_language if text_language != language else None,
            # (version, scheduled) for every version this visitor may read, newest first.
            "history": [
                (item, item.effective_at > now)
                for item in selectors.notice_versions(now=now, include_scheduled=staff).only(
                    "number", "effective_at"
                )
            ],
        },
    )
