"""Languages (issue 7): every catalogue complete, current with the code and compiled; the
Cyrillic catalogue in step with the Latin one; every candidate-facing page and email rendered
in every language without a word of the English source left in it."""

import functools
import html
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from ats import catalogs
from notifications.models import OutboundEmail
from notifications.services import queue_email
from recruitment.access import Actor
from recruitment.models import Application, PortalToken, Posting, Source, TeamMembership
from recruitment.notices.texts import LEGAL_BASES, PURPOSES
from recruitment.pipeline.services import interviews
from recruitment.pipeline.services import stages as pipeline
from recruitment.rights.services import portal_access
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply_as, form_data
from tests.harness.rights import open_portal

BASE_DIR = Path(settings.BASE_DIR)
CYRILLIC = re.compile(r"[\u0400-\u04ff]{4,}")
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
EMAIL_TEMPLATES = sorted(
    str(path.relative_to(BASE_DIR / "templates")).removesuffix("_subject.txt")
    for path in (BASE_DIR / "templates").glob("*/emails/*_subject.txt")
)


@functools.cache
def catalogue(code: str) -> polib.POFile:
    """The committed catalogue of `code`, parsed once per run (only read, never changed)."""
    return polib.pofile(str(catalogs.catalogue_path(translation.to_locale(code))))


def entry_key(entry: polib.POEntry | polib.MOEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


# --- The catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_is_complete_with_nothing_fuzzy(code: str) -> None:
    po = catalogue(code)
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"
    untranslated = [entry.msgid for entry in live(po) if not entry.translated()]
    fuzzy = [entry.msgid for entry in live(po) if "fuzzy" in entry.flags]
    assert untranslated == [], f"{code}: {len(untranslated)} untranslated"
    assert fuzzy == [], f"{code}: {len(fuzzy)} fuzzy"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")


def test_the_catalogues_hold_exactly_the_strings_of_the_code(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extracts the strings afresh (xgettext, as `make messages` does) and compares: a string
    added to the code without `make messages` fails here.

    makemessages writes into the `locale` directory nearest to each source file, so it runs
    in a scratch directory that links to the sources: the repository's catalogues are never
    touched.
    """
    for source in ("ats", "recruitment", "notifications", "templates"):
        (tmp_path / source).symlink_to(BASE_DIR / source)
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command(
        "makemessages",
        locale=["xx"],
        keep_pot=True,
        no_location=True,
        symlinks=True,
        verbosity=0,
    )
    pot = polib.pofile(str(tmp_path / "locale" / "django.pot"))
    source_strings = {entry_key(entry) for entry in live(pot)}
    assert len(source_strings) > 500, "the extraction found the sources"
    for code in TRANSLATED:
        held = {entry_key(entry) for entry in live(catalogue(code))}
        assert source_strings - held == set(), f"{code} lacks strings: run `make messages`"
        assert held - source_strings == set(), f"{code} holds strings the code no longer has"


def test_the_cyrillic_catalogue_is_the_latin_one_transliterated() -> None:
    expected = catalogs.cyrillic_catalogue(catalogue("sr-latn"))
    committed = {entry_key(entry): entry for entry in live(catalogue("sr"))}
    assert set(committed) == {entry_key(entry) for entry in expected}
    for entry in expected:
        held = committed[entry_key(entry)]
        assert (held.msgstr, held.msgstr_plural) == (entry.msgstr, entry.msgstr_plural), (
            f"locale/sr is stale for {entry.msgid!r}: run `make messages`"
        )


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogues_match_their_sources(code: str) -> None:
    locale = translation.to_locale(code)
    compiled = {
        entry_key(entry): (entry.msgstr, entry.msgstr_plural)
        for entry in polib.mofile(str(catalogs.catalogue_path(locale, "mo")))
        if entry.msgid
    }
    source = {
        entry_key(entry): (entry.msgstr, entry.msgstr_plural)
        for entry in live(catalogue(code))
        if entry.translated()
    }
    assert compiled == source, f"{locale}/django.mo is stale: run `make messages`"


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ljubazno Vas molimo, NJEGOV džep", "Љубазно Вас молимо, ЊЕГОВ џеп"),
        ("Prijava za %(title)s je primljena.", "Пријава за %(title)s је примљена."),
        ('<a href="%(url)s">Portal</a> &mdash; data.json ("profile")', None),
        ("CV u PDF ili DOCX formatu: privacy@example.com, https://x.rs/a", None),
        ("nadživeti, injekcija", "надживети, ињекција"),
        ("`sha256sum` na sistemu Linux; UTF-8, SHA-256", None),
    ],
)
def test_transliteration_keeps_placeholders_markup_and_technical_words(
    latin: str, cyrillic: str | None
) -> None:
    result = catalogs.to_cyrillic(latin)
    if cyrillic:
        assert result == cyrillic
    kept = re.findall(r"%\(\w+\)s|<[^>]+>|&\w+;|[\w.+-]+@[\w.-]+|https?://\S+|`[^`]*`", latin)
    kept += re.findall(r"\b(?:CV|PDF|DOCX|UTF|SHA|Linux|data\.json|profile)\b", latin)
    for token in kept:
        assert token in result
    assert not re.search(
        r"[a-zčćđšž]{3,}", re.sub("|".join(map(re.escape, kept)) or "^$", "", result)
    )


def slavic_plural_form(n: int) -> int:
    """The form Bosnian, Croatian and Serbian use for n: one (1, 21, 31...), few (2-4, 22-24...
    but not 12-14) or many (the rest, 11-14 included)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


@pytest.mark.parametrize("code", TRANSLATED)
def test_plural_forms_follow_the_language_rules(code: str) -> None:
    """Every plural entry, for counts that exercise each rule, gets the form the language's
    grammar asks for: the catalogue's Plural-Forms expression is the right one."""
    plurals = [entry for entry in live(catalogue(code)) if entry.msgid_plural]
    assert len(plurals) > 20
    with translation.override(code):
        for entry in plurals:
            for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 1000):
                got = ngettext(entry.msgid, entry.msgid_plural, n)
                assert got == entry.msgstr_plural[slavic_plural_form(n)], (entry.msgid, n)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "Nov. 22, 2026"),
        ("bs", "22. novembar 2026."),
        ("hr", "22. studenoga 2026."),
        ("sr-latn", "22. novembar 2026."),
        ("sr", "22. новембар 2026."),
    ],
)
def test_dates_follow_the_locale(code: str, expected: str) -> None:
    from django.utils.formats import date_format

    day = datetime(2026, 11, 22, 10, 30)
    with translation.override(code):
        assert date_format(day, "DATE_FORMAT") == expected


# --- Negotiation, the switcher, the application's language ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sr-RS,sr;q=0.9,en;q=0.5", "sr"),
        ("sr-Latn-RS,sr-Latn;q=0.9", "sr-latn"),
        ("bs-BA,bs;q=0.9", "bs"),
        ("hr-HR,hr;q=0.9", "hr"),
        ("de-DE,de;q=0.9", "en"),
    ],
)
def test_the_browser_language_is_used(client: Client, header: str, expected: str) -> None:
    response = client.get(reverse("careers:posting_list"), headers={"accept-language": header})
    assert f'<html lang="{expected}">' in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_overrides_the_browser_and_is_remembered(
    client: Client, posting: Posting
) -> None:
    page = reverse("careers:posting_detail", kwargs={"slug": posting.slug})
    response = client.post(reverse("set_language"), {"language": "bs", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "bs" and cookie["httponly"] and cookie["samesite"] == "Lax"

    later = client.get(page, headers={"accept-language": "sr-RS,sr"})
    assert '<html lang="bs">' in later.content.decode()
    assert 'aria-current="true">Bosanski</button>' in later.content.decode()


@pytest.mark.django_db
def test_the_switcher_refuses_a_foreign_next_address(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "hr", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


@pytest.mark.django_db
def test_the_application_language_is_kept_for_every_later_email(
    client: Client, posting: Posting
) -> None:
    url = reverse("careers:posting_detail", kwargs={"slug": posting.slug})
    response = client.post(url, form_data(), headers={"accept-language": "sr-RS,sr"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.language == "sr"
    [received] = OutboundEmail.objects.all()
    assert received.language == "sr"
    assert CYRILLIC.search(received.subject), received.subject

    # A later email, caused by staff working in English, still speaks Serbian.
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    with translation.override("en"):
        pipeline.move_application(
            application_id=application.pk,
            to_stage=Application.Stage.UNSUCCESSFUL,
            actor=Actor(user=recruiter),
            notify=True,
        )
    unsuccessful = OutboundEmail.objects.get(template="pipeline/emails/application_unsuccessful")
    assert unsuccessful.language == "sr"
    assert CYRILLIC.search(unsuccessful.body_text)


# --- Every candidate page and email in every language -----------------------------------------


def english_left_in(text: str, code: str) -> list[str]:
    """The catalogue's English sentences (three words or more, no placeholders) that appear
    untranslated in `text`."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    plain = " ".join(plain.split())
    left = []
    for entry in live(catalogue(code)):
        source = " ".join(entry.msgid.split())
        if entry.msgid_plural or "%" in source or len(source.split()) < 3:
            continue
        if entry.msgstr.strip() == source:
            continue  # the same in both languages
        if source in plain:
            left.append(source)
    return left


def assert_speaks(code: str, text: str) -> None:
    if code == "en":
        return
    assert english_left_in(text, code) == []
    if code == "sr":
        assert CYRILLIC.search(text), "Cyrillic text expected"


@pytest.fixture
def candidate_pages(client: Client, posting: Posting) -> list[tuple[Client, str]]:
    """(client, path) for every candidate-facing page: careers, form, notice, portal."""
    application = apply_as(posting, "Jezik Kandidat")
    # An interview to answer, which the portal shows on the application (issue 20).
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    interviews.schedule_interview(
        actor=Actor(recruiter),
        application_id=application.pk,
        details=interviews.Details(
            starts_at=timezone.now() + timedelta(days=5),
            duration_minutes=45,
            time_zone="Europe/Sarajevo",
            kind="video",
            video_url="https://meet.example.com/jezik",
        ),
    )
    pages = [
        reverse("careers:posting_list"),
        reverse("careers:posting_detail", kwargs={"slug": posting.slug}),
        reverse("careers:applied", kwargs={"slug": posting.slug}),
        reverse("privacy:notice"),
        reverse("privacy:request_link"),
    ]
    portal = Client()
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(portal, token)
    portal_pages = [
        reverse("privacy:portal"),
        reverse("privacy:details"),
        reverse("privacy:erase"),
        reverse("privacy:request"),
        reverse("privacy:replace_cv", kwargs={"application_id": application.pk}),
        reverse("privacy:withdraw", kwargs={"application_id": application.pk}),
        reverse("privacy:messages", kwargs={"application_id": application.pk}),
    ]
    return [(client, path) for path in pages] + [(portal, path) for path in portal_pages]


@pytest.mark.django_db
@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_every_candidate_page_renders_in_every_language(
    code: str, candidate_pages: list[tuple[Client, str]]
) -> None:
    for client, path in candidate_pages:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert f'<html lang="{code}">' in page, path
        assert_speaks(code, page)


def email_context() -> dict[str, Any]:
    now = timezone.now()
    return {
        "full_name": "Jezik Kandidat",
        "posting_title": "Backend Developer",
        "consent_expires_at": now + timedelta(days=365),
        "kept_until": now + timedelta(days=30),
        "kind": "Erasure",
        "reference": "ab12cd34",
        "received_at": now,
        "original_due_at": now + timedelta(days=30),
        "due_at": now + timedelta(days=90),
        "reason": "Many records",
        "authority": settings.SUPERVISORY_AUTHORITY,
        "requests": [
            {
                "id": "ab12cd34-0000-0000-0000-000000000000",
                "kind": "Erasure",
                "due_at": now + timedelta(days=3),
                "days_left": 3,
                "extended": True,
                "url": "https://ats.example/staff/requests/1/",
            }
        ],
        "queue_url": "https://ats.example/staff/requests/",
        "reminder_days": 7,
        "posting_titles": ["Backend Developer", "Data Engineer"],
        "others_kept": True,
        "holds": [
            {
                "id": 7,
                "application_id": "ab12cd34-0000-0000-0000-000000000000",
                "review_at": (now - timedelta(days=2)).date(),
                "days_overdue": 2,
                "placed_at": now - timedelta(days=60),
                "url": "https://ats.example/staff/retention/#hold-7",
            }
        ],
        "total": 1,
        "retention_url": "https://ats.example/staff/retention/",
        # careers/emails/application_recorded: where the data came from, and the notice.
        "source_kind": Source.Kind.JOB_FAIR.label,
        "source_name": "",
        "notice_url": "https://ats.example/privacy/notice/?version=1",
        "purpose": PURPOSES["assess_application"],
        "legal_basis": LEGAL_BASES["pre_contract_steps"],
        # pipeline/emails/message: staff's own words, already in the candidate's language
        # (the template's text in it); only the frame around them is translated here.
        "subject": "Razgovor",
        "body": "Poštovani/a Jezik,\n\nhvala na prijavi.",
        # pipeline/emails/staff_digest: counts and links only.
        "postings": [
            {
                "title": "Backend Developer",
                "new_applications": 2,
                "replies": 1,
                "interview_answers": 1,
                "board_url": "https://ats.example/staff/postings/1/pipeline/",
                "reply_urls": ["https://ats.example/staff/applications/ab12cd34/#h-messages"],
                "answer_urls": ["https://ats.example/staff/applications/ab12cd34/#h-interviews"],
            }
        ],
        "settings_url": "https://ats.example/staff/notifications/",
        # pipeline/emails/interview_*: when and where (an unknown `kind` reads as by phone).
        "starts_at": now + timedelta(days=2),
        "ends_at": now + timedelta(days=2, hours=1),
        "time_zone": "Europe/Sarajevo",
        "duration_minutes": 60,
        "address": "Kralja Tvrtka 1",
        "video_url": "https://meet.example.com/x",
        "note_for_candidate": "",
        "portal_url": "https://ats.example/privacy/",
        "application_url": "https://ats.example/staff/applications/1/",
    }


# Emails whose subject is staff's own text (a message template's, in the candidate's
# language), not a translated string: tests/recruitment/pipeline/test_messages.py checks
# that a Serbian candidate gets the Serbian one.
SUBJECT_WRITTEN_BY_STAFF = {"pipeline/emails/message"}


@pytest.mark.django_db
@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_every_email_renders_in_every_language(code: str, template: str) -> None:
    email = queue_email(
        to="jezik@example.com", template=template, context=email_context(), language=code
    )
    assert email.subject.strip()
    staff_subject = template in SUBJECT_WRITTEN_BY_STAFF
    for part in (email.body_text, email.body_html, *([] if staff_subject else [email.subject])):
        assert_speaks(code, part)
    if code != "en" and not staff_subject:
        with translation.override("en"):
            english = queue_email(
                to="jezik@example.com", template=template, context=email_context(), language="en"
            )
        assert email.subject != english.subject, "the subject is translated"


def test_translatable_strings_use_names_the_extractor_knows() -> None:
    """xgettext finds gettext, gettext_lazy, ngettext... and `_`: a string marked through any
    other alias never reaches the catalogues, and shows in English in every language."""
    aliased = re.compile(r"import (?:n|p|np)?gettext(?:_lazy)? as (?!_\b)(\w+)")
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {match.group(0)}"
        for app in ("ats", "recruitment", "notifications")
        for path in (BASE_DIR / app).rglob("*.py")
        for match in aliased.finditer(path.read_text())
    ]
    assert offenders == []


def test_no_translatable_string_is_formatted_before_translation() -> None:
    """f-strings and str.format() inside gettext calls would be looked up already formatted,
    so they would never match the catalogue."""
    formatted = re.compile(r"\b(?:_|gettext|gettext_lazy|ngettext|pgettext)\(\s*f[\"']")
    offenders = [
        str(path.relative_to(BASE_DIR))
        for app in ("ats", "recruitment", "notifications")
        for path in (BASE_DIR / app).rglob("*.py")
        if formatted.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("code", TRANSLATED)
def test_the_recruiter_workspace_renders_in_every_language(
    code: str, client: Client, posting: Posting
) -> None:
    application = apply_as(posting, "Radni Prostor")
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    pages = [
        reverse("staff:home"),
        reverse("staff:posting_edit", kwargs={"pk": posting.pk}),
        reverse("staff:posting_team", kwargs={"pk": posting.pk}),
        reverse("staff:pipeline", kwargs={"pk": posting.pk}),
        reverse("staff:posting_dashboard", kwargs={"pk": posting.pk}),
        reverse("staff:application_record", kwargs={"pk": posting.pk}),
        reverse("staff:sources"),
        reverse("staff:source_edit", kwargs={"slug": "job-fair"}),
        reverse("staff:application", kwargs={"pk": application.pk}),
        reverse("staff:application_exports", kwargs={"pk": application.pk}),
        reverse("staff:audit_log"),
        reverse("staff:retention"),
        reverse("staff:requests"),
        reverse("staff:request_new"),
        reverse("staff:privacy_texts"),
        reverse("staff:password_change"),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert f'<html lang="{code}">' in page, path
        assert_speaks(code, page)
