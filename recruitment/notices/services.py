"""Versions of the privacy notice and of the consent text (PRIVACY.md P3, P19): which one is
in force, publishing a new one, and checking the versions a form showed a candidate.

Append-only: a version is created once and never updated or deleted; nothing here changes a
row after writing it. Numbers are sequential; two publishers racing for the same number are
settled by its unique constraint (the loser is refused, nothing written). A version takes
effect at its `effective_at`, which is never in the past and never before the previous
version's; the current version is the latest one in effect.

There is always a current version: when none exists at all (a fresh database, or a test
database a transactional test has flushed), the first read creates version 1 from the
configuration of the moment, effective at once, published by nobody (`published_by` null).
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import ConsentTextVersion, NoticeVersion, Question, RetentionConsent
from recruitment.notices.texts import (
    consent_text_in,
    fingerprints,
    render_notice_texts,
    talent_pool_consent_text,
)

# A date-and-time input has minute precision: "now" typed into it is up to a minute ago.
PAST_TOLERANCE = timedelta(minutes=1)
LOST_RACE: Promise = _(
    "Another version was published at the same moment. Reload the page and try again."
)

Version = TypeVar("Version", NoticeVersion, ConsentTextVersion)


class PublishRefused(ServiceRefused):
    """A version cannot be published; `message` says why, for staff. Nothing was written."""


class VersionNotValid(Exception):
    """A version number a form carried is unknown or not yet in effect."""


@dataclass(frozen=True)
class ShownVersions:
    """The versions an application form showed, checked: the notice's id and the consent text."""

    notice_id: int
    consent_text: ConsentTextVersion


# --- What is in force ------------------------------------------------------------------------


def current_notice(now: datetime | None = None) -> NoticeVersion:
    """The notice version in effect at `now`: the latest with effective_at <= now.

    Side effect only when no version exists at all: creates version 1 from the current
    configuration, its text rendered in every language, effective at once (race-safe: a
    concurrent creator's version 1 is returned instead). Rerun-safe. One query otherwise.
    """
    now = now or timezone.now()
    found = NoticeVersion.objects.in_effect(now).order_by("-number").first()
    if found is not None:
        return found
    return _first_version(NoticeVersion, _notice_fields(effective_at=now, now=now), now=now)


def current_consent_text(now: datetime | None = None) -> ConsentTextVersion:
    """The consent text version in effect at `now`: the latest with effective_at <= now.

    Side effect only when no version exists at all: creates version 1 for
    TALENT_POOL_CONSENT_MONTHS, its text rendered in every language, effective at once
    (race-safe, as `current_notice`). Rerun-safe. One query otherwise.
    """
    now = now or timezone.now()
    found = ConsentTextVersion.objects.in_effect(now).order_by("-number").first()
    if found is not None:
        return found
    months = settings.TALENT_POOL_CONSENT_MONTHS
    return _first_version(
        ConsentTextVersion, {"months": months, **_rendered_texts(months)}, now=now
    )


def _first_version(model: type[Version], fields: dict[str, Any], *, now: datetime) -> Version:
    try:
        with transaction.atomic():
            created: Version = model.objects.create(
                number=1, effective_at=now, published_at=now, published_by=None, **fields
            )
            return created
    except IntegrityError:
        # Another request created version 1 first (the unique number): that one stands.
        return model.objects.get(number=1)


# --- What a version says ----------------------------------------------------------------------


def notice_snapshot(*, effective_at: datetime, now: datetime | None = None) -> dict[str, Any]:
    """The configuration a notice taking effect at `effective_at` is generated from, as
    stored in NoticeVersion.content (JSON values only; keys where the page translates).

    The consent duration is that of the consent text in effect at `effective_at`, so the
    notice describes the consent candidates will be asked for. May create consent text
    version 1 (see `current_consent_text`).
    """
    consent_text = ConsentTextVersion.objects.in_effect(effective_at).order_by("-number").first()
    consent_months = (consent_text or current_consent_text(now)).months
    controller = settings.CONTROLLER
    snapshot = {
        "jurisdiction": settings.JURISDICTION,
        "law": dict(settings.APPLICABLE_LAW),
        "controller": {
            "name": controller["name"],
            "address": controller["address"],
            "registration": [[label, value] for label, value in controller["registration"]],
            "privacy_email": controller["privacy_email"],
        },
        # The categories of data a posting's own questions may collect (recruitment.questions):
        # each question declares one of these, and the notice lists them (PRIVACY.md P18).
        "data_categories": list(Question.Category.values),
        "purposes": [
            {"purpose": "assess_application", "legal_basis": "pre_contract_steps"},
            {"purpose": "talent_pool", "legal_basis": "consent"},
        ],
        "retention": {
            "until": "process_concluded",
            "consent_months": consent_months,
            "consent_max_months": settings.TALENT_POOL_CONSENT_MAX_MONTHS,
        },
        "recipients": {"processors": list(settings.PROCESSORS)},
        "rights": {
            "deadline_days": settings.PRIVACY_REQUEST_DEADLINE_DAYS,
            "extension_days": settings.PRIVACY_REQUEST_EXTENSION_DAYS,
        },
        "min_age": settings.APPLICANT_MIN_AGE,
        "authority": dict(settings.SUPERVISORY_AUTHORITY),
    }
    # As the JSON column gives it back, so that a stored snapshot compares equal.
    loaded: dict[str, Any] = json.loads(json.dumps(snapshot))
    return loaded


def _notice_fields(*, effective_at: datetime, now: datetime) -> dict[str, Any]:
    """What a notice published now stores: the snapshot, its text in every language, and the
    fingerprint of each."""
    content = notice_snapshot(effective_at=effective_at, now=now)
    texts = render_notice_texts(content)
    return {"content": content, "texts": texts, "sha256": fingerprints(texts)}


def notice_is_outdated(version: NoticeVersion, *, now: datetime | None = None) -> bool:
    """Whether publishing now would give a different notice than `version`'s: the
    configuration changed, or its wording in some language did (a template or a catalogue
    was edited, a language added). The page keeps showing `version`'s stored text until a new
    version is published."""
    now = now or timezone.now()
    content = notice_snapshot(effective_at=now, now=now)
    return version.content != content or version.texts != render_notice_texts(content)


def consent_text_of(consent: RetentionConsent) -> str | None:
    """The text a consent was given under, in its language; None for a consent given before
    texts were versioned (only its fingerprint, `text_version`, is known)."""
    if consent.consent_text is None:
        return None
    return consent_text_in(consent.consent_text, consent.language)


def consent_text_is_outdated(version: ConsentTextVersion) -> bool:
    """Whether publishing now would give a different consent text than `version`'s: the
    configured duration changed, or its wording in some language did (a translation was
    corrected, a language added). Consents keep using `version`'s text until a new one is
    published."""
    months = settings.TALENT_POOL_CONSENT_MONTHS
    return version.months != months or version.texts != preview_consent_texts(months)


def preview_consent_texts(months: int) -> dict[str, str]:
    """The consent text for `months` in every configured language, as publishing would store it."""
    texts: dict[str, str] = _rendered_texts(months)["texts"]
    return texts


def _rendered_texts(months: int) -> dict[str, dict[str, str]]:
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = talent_pool_consent_text(months)
    return {"texts": texts, "sha256": fingerprints(texts)}


# Versions a form named by number, once checked: rows are never changed or deleted, and a
# version in effect stays in effect, so a number found once needs no second look. The
# application form's POST then costs no query for them. Numbers come from the client, but
# only versions that exist and are in effect get in, so this holds at most one entry per
# published version. Per process; `forget_checked_versions` empties it.
_checked_notice_ids: dict[int, int] = {}
_checked_consent_texts: dict[int, ConsentTextVersion] = {}


def forget_checked_versions() -> None:
    """Empties this process's memory of checked versions. Production never needs this
    (versions are append-only); tests call it because they roll rows back."""
    _checked_notice_ids.clear()
    _checked_consent_texts.clear()


def versions_shown(
    *, notice_number: int | None, consent_number: int | None, now: datetime
) -> ShownVersions:
    """The notice and consent text versions an application form showed, checked: each must
    exist and be in effect at `now`. A missing number (a page rendered before versions
    existed, or a client that does not send them) stands for the version in effect now.

    No query for numbers this process has checked before, one otherwise, whatever is
    ticked; more only the very first time (version 1 is created, see `current_notice`).
    Raises VersionNotValid for an unknown or not-yet-effective number.
    """
    known_notice_id = _checked_notice_ids.get(notice_number) if notice_number else None
    known_consent = _checked_consent_texts.get(consent_number) if consent_number else None
    if known_notice_id is not None and known_consent is not None:
        return ShownVersions(notice_id=known_notice_id, consent_text=known_consent)

    notices = NoticeVersion.objects.in_effect(now)
    notices = (
        notices.filter(number=notice_number)
        if notice_number is not None
        else notices.order_by("-number")
    )
    consents = ConsentTextVersion.objects.in_effect(now)
    consents = (
        consents.filter(number=consent_number)
        if consent_number is not None
        else consents.order_by("-number")
    )
    # Both in one round trip: the notice's id rides along as an annotation.
    found = consents.annotate(shown_notice_id=Subquery(notices.values("pk")[:1])).first()
    if found is not None:
        consent_text: ConsentTextVersion = found
        notice_id: int | None = found.shown_notice_id
    elif consent_number is not None:
        raise VersionNotValid
    else:
        consent_text = current_consent_text(now)
        notice_id = notices.values_list("pk", flat=True).first()
    if notice_id is None:
        if notice_number is not None:
            raise VersionNotValid
        notice_id = current_notice(now).pk
    if notice_number is not None:
        _checked_notice_ids[notice_number] = notice_id
    if consent_number is not None:
        _checked_consent_texts[consent_number] = consent_text
    return ShownVersions(notice_id=notice_id, consent_text=consent_text)


def consent_text_shown(*, number: int | None, now: datetime) -> ConsentTextVersion:
    """Consent text version `number` if it is in effect at `now` (None: the current one).
    Raises VersionNotValid otherwise. May create version 1 (see `current_consent_text`)."""
    if number is None:
        return current_consent_text(now)
    found = ConsentTextVersion.objects.in_effect(now).filter(number=number).first()
    if found is None:
        raise VersionNotValid
    return found


# --- Publishing -------------------------------------------------------------------------------


def publish_notice(
    *,
    by: Actor,
    effective_at: datetime | None,
    change_summary: str,
    now: datetime | None = None,
) -> NoticeVersion:
    """Publishes the next notice version: a snapshot of the configuration now (with the
    consent duration in force at `effective_at`), and the notice rendered from it now in
    every configured language with each fingerprint, taking effect at `effective_at` (None
    or within the last minute: at once).

    Side effects: version 1 first, if none existed (see `current_notice`); then, in one
    transaction, the NoticeVersion row and a PUBLISH_NOTICE audit row. Not idempotent: each
    call is a new version.
    Raises PublishRefused, with nothing written, for a time in the past, a time before a
    scheduled version's, or a lost race for the number. Callers check the actor's role.
    """
    now = now or timezone.now()
    effective_at = _effective_from(effective_at, now=now)
    current_notice(now)  # version 1 exists before any scheduled version
    try:
        return _publish_notice(
            by=by, effective_at=effective_at, change_summary=change_summary, now=now
        )
    except IntegrityError:
        raise PublishRefused(LOST_RACE) from None


@transaction.atomic
def _publish_notice(
    *, by: Actor, effective_at: datetime, change_summary: str, now: datetime
) -> NoticeVersion:
    latest = NoticeVersion.objects.order_by("-number").first()
    number = _next_number(latest, effective_at=effective_at)
    version = NoticeVersion.objects.create(
        number=number,
        effective_at=effective_at,
        published_at=now,
        published_by=by.user,
        change_summary=change_summary,
        **_notice_fields(effective_at=effective_at, now=now),
    )
    audit.record_access(actor=by, action=audit.Action.PUBLISH_NOTICE)
    return version


def publish_consent_text(
    *,
    by: Actor,
    effective_at: datetime | None,
    months: int,
    now: datetime | None = None,
) -> ConsentTextVersion:
    """Publishes the next consent text version: consents given under it last `months`; its
    text is rendered now in every configured language and stored with each fingerprint.
    Consents already given keep their own version, duration and expiry.

    Side effects: version 1 first, if none existed; then, in one transaction, the
    ConsentTextVersion row and a PUBLISH_CONSENT_TEXT audit row. Not idempotent. Raises
    PublishRefused, with nothing written, for a duration outside
    1..TALENT_POOL_CONSENT_MAX_MONTHS, a time in the past or before a scheduled version's,
    or a lost race for the number.
    """
    now = now or timezone.now()
    maximum = settings.TALENT_POOL_CONSENT_MAX_MONTHS
    if not 1 <= months <= maximum:
        raise PublishRefused(
            ngettext(
                "A consent lasts at least one month and at most %(max)d month.",
                "A consent lasts at least one month and at most %(max)d months.",
                maximum,
            )
            % {"max": maximum}
        )
    effective_at = _effective_from(effective_at, now=now)
    current_consent_text(now)
    try:
        return _publish_consent_text(by=by, effective_at=effective_at, months=months, now=now)
    except IntegrityError:
        raise PublishRefused(LOST_RACE) from None


@transaction.atomic
def _publish_consent_text(
    *, by: Actor, effective_at: datetime, months: int, now: datetime
) -> ConsentTextVersion:
    latest = ConsentTextVersion.objects.order_by("-number").first()
    version = ConsentTextVersion.objects.create(
        number=_next_number(latest, effective_at=effective_at),
        effective_at=effective_at,
        published_at=now,
        published_by=by.user,
        months=months,
        **_rendered_texts(months),
    )
    audit.record_access(actor=by, action=audit.Action.PUBLISH_CONSENT_TEXT)
    return version


def _effective_from(effective_at: datetime | None, *, now: datetime) -> datetime:
    if effective_at is None:
        return now
    if effective_at < now - PAST_TOLERANCE:
        raise PublishRefused(
            _("A new version cannot take effect in the past. Choose now or a later time.")
        )
    return max(effective_at, now)


def _next_number(
    latest: NoticeVersion | ConsentTextVersion | None, *, effective_at: datetime
) -> int:
    if latest is None:
        return 1
    # Versions take effect in the order of their numbers, so the current one is simply the
    # latest in effect: a new version may not jump ahead of a scheduled one.
    if effective_at < latest.effective_at:
        raise PublishRefused(
            _(
                "Version %(number)d is scheduled to take effect on %(date)s; a new version "
                "cannot take effect before it."
            )
            % {
                "number": latest.number,
                "date": formats.date_format(
                    timezone.localtime(latest.effective_at), "DATETIME_FORMAT"
                ),
            }
        )
    return latest.number + 1
