"""A published privacy notice is frozen (PRIVACY.md P19; issue 16, defect 9): its text in every
language is rendered once, at publication, and stored with its fingerprint; a later deploy
(template) or catalogue edit changes only versions published afterwards, and an
application's notice version proves what its candidate was shown."""

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recruitment.access import Actor
from recruitment.models import NoticeVersion
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import render_notice_texts, text_version
from tests.harness.applying import apply_as
from tests.harness.rights import built, data_of

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _ in django_settings.LANGUAGES]
# Wording of the notice's text (not of the page around it), each a catalogue entry.
NOTICE_MSGIDS = [
    "Who is responsible for your data",
    "What we collect",
    "Why, and on what legal basis",
    "How long we keep it",
    "Who sees it",
    "Your rights",
    "Complaints",
    "Legal basis:",
    "Your explicit consent, which you can withdraw at any time.",
]
ARTICLE = re.compile(r'<article class="notice">.*</article>', re.DOTALL)
EDITED = "Edited wording"


def notice_article(client: Client, code: str, number: int | None = None) -> str:
    """The notice as a reader in `code` sees it (the page's frame included, the CSP nonce and
    CSRF token, which change per request, excluded)."""
    with translation.override(code):
        url = reverse("privacy:notice")
    if number is not None:
        url += f"?version={number}"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=code)
    assert response.status_code == 200
    found = ARTICLE.search(response.content.decode())
    assert found is not None
    return found.group(0)


@contextmanager
def catalogue_edited(code: str, msgid: str, wording: str) -> Iterator[None]:
    """As if the catalogue of `code` had been edited (a deploy with a corrected translation):
    `msgid` now translates to `wording`."""
    catalogue = trans_real.translation(code)
    original = catalogue.gettext

    def edited(message: str) -> str:
        return wording if message == msgid else original(message)

    with mock.patch.object(catalogue, "gettext", edited):
        yield


def publish(officer: Any, summary: str = "Next.") -> NoticeVersion:
    return privacy_texts.publish_notice(
        by=Actor(user=officer), effective_at=None, change_summary=summary
    )


# --- Publication stores every language ------------------------------------------------------


def test_publication_stores_the_notice_rendered_in_every_language(
    client: Client, officer: Any
) -> None:
    version = publish(officer)

    assert set(version.texts) == set(version.sha256) == set(LANGUAGES)
    for code in LANGUAGES:
        stored = version.texts[code]
        assert version.sha256[code] == text_version(stored)
        with translation.override(code):
            assert translation.gettext("What we collect") in stored
        assert django_settings.SUPERVISORY_AUTHORITY["name"] in stored
        # The page shows exactly the stored text, in the reader's language.
        assert stored in notice_article(client, code)
    assert version.texts["hr"] != version.texts["en"]
    assert version.texts["sr"] != version.texts["sr-latn"]


def test_version_1_made_on_first_use_stores_its_text_too() -> None:
    version = privacy_texts.current_notice()

    assert set(version.texts) == set(LANGUAGES)
    assert version.texts == render_notice_texts(version.content)


# --- Nothing changes a published version ----------------------------------------------------


@hypothesis_settings(
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    code=st.sampled_from(LANGUAGES),
    msgid=st.sampled_from(NOTICE_MSGIDS),
    rest=st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
)
def test_a_catalogue_edit_after_publication_changes_no_published_notice(
    client: Client, code: str, msgid: str, rest: str
) -> None:
    version = privacy_texts.current_notice()
    before = notice_article(client, code, version.number)

    with catalogue_edited(code, msgid, f"{EDITED} {rest}"):
        after = notice_article(client, code, version.number)
        # The edit is real: a version published now would say it.
        republished = render_notice_texts(version.content)[code]

    assert EDITED in republished
    assert after == before
    assert EDITED not in after
    version.refresh_from_db()
    assert version.texts[code] in after
    assert version.sha256[code] == text_version(version.texts[code])


def test_a_template_change_after_publication_changes_no_published_notice(
    client: Client, settings: Any, officer: Any, tmp_path: Path
) -> None:
    first = privacy_texts.current_notice()
    before = {code: notice_article(client, code, first.number) for code in LANGUAGES}
    # A deploy that rewords the notice's template.
    shutil.copytree(Path(django_settings.BASE_DIR) / "templates" / "privacy", tmp_path / "privacy")
    for template in (tmp_path / "privacy").iterdir():
        template.write_text(
            template.read_text().replace(
                '{% translate "What we collect" %}', f"{EDITED}: what we collect"
            )
        )
    engine = {**settings.TEMPLATES[0]}
    engine["DIRS"] = [tmp_path, *engine["DIRS"]]
    settings.TEMPLATES = [engine]

    after = {code: notice_article(client, code, first.number) for code in LANGUAGES}
    second = publish(officer, "After the deploy.")

    assert after == before
    # The deploy did take effect, for the version published after it only.
    assert all(EDITED in text for text in second.texts.values())
    assert EDITED in notice_article(client, "hr", second.number)
    assert EDITED not in notice_article(client, "hr", first.number)


def test_a_language_the_version_was_not_published_in_reads_its_default_text(
    client: Client,
) -> None:
    now = timezone.now()
    text = "<h2>Only in English</h2><p>Published before Croatian was offered.</p>"
    NoticeVersion.objects.create(
        number=1,
        effective_at=now,
        published_at=now,
        content=privacy_texts.notice_snapshot(effective_at=now, now=now),
        texts={"en": text},
        sha256={"en": text_version(text)},
    )

    article = notice_article(client, "hr")

    assert text in article
    assert 'lang="en"' in article


# --- What the candidate read, proven ---------------------------------------------------------


def test_the_export_names_the_fingerprint_of_the_notice_text_the_candidate_was_shown(
    client: Client, posting: Any, officer: Any
) -> None:
    applied = apply_as(posting, "Notice Reader")
    applied.language = "bs"
    applied.save(update_fields=["language"])
    shown = applied.notice_version
    assert shown is not None
    publish(officer, "A later version.")  # changes nothing for the earlier application

    [entry] = data_of(built(applied.candidate))["applications"]

    assert entry["notice_version"] == shown.number
    assert entry["notice_sha256"] == shown.sha256["bs"]
    # The fingerprint is that of the text the page shows for that version and language.
    assert text_version(shown.texts["bs"]) == entry["notice_sha256"]
    assert shown.texts["bs"] in notice_article(client, "bs", shown.number)


def test_the_staff_page_lists_each_versions_fingerprints_and_notices_a_reworded_catalogue(
    officer_client: Client,
) -> None:
    version = privacy_texts.current_notice()
    page = officer_client.get(reverse("staff:privacy_texts")).content.decode()
    assert all(digest in page for digest in version.sha256.values())
    assert "wording of the notice in some language has changed" not in page

    with catalogue_edited("bs", "What we collect", EDITED):
        page = officer_client.get(reverse("staff:privacy_texts")).content.decode()

    assert "wording of the notice in some language has changed since version 1" in page


# --- The migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_each_earlier_versions_text_from_its_own_snapshot() -> None:
    before = [("recruitment", "0016_audit_search_actions")]
    executor = MigrationExecutor(connection)
    # Back to where the suite left the schema afterwards, whatever came after this migration.
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("recruitment", "NoticeVersion")
        now = timezone.now()
        snapshot = privacy_texts.notice_snapshot(effective_at=now, now=now)
        snapshot["recipients"]["processors"] = ["Backfilled Hosting d.o.o."]
        old.objects.create(number=1, effective_at=now, published_at=now, content=snapshot)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)

    version = NoticeVersion.objects.get(number=1)
    assert version.texts == render_notice_texts(snapshot)
    assert all("Backfilled Hosting d.o.o." in text for text in version.texts.values())
    assert version.sha256 == {code: text_version(text) for code, text in version.texts.items()}
