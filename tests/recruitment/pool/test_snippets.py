"""The search's snippet: ts_headline over a window of the CV around the first word of the
query found in it, or over the whole text when the window does not match. A match deep in
a long CV is highlighted; the text stays escaped, only the marks become <mark>."""

from typing import Any

import pytest
from django.contrib.postgres.search import SearchHeadline
from django.db.models import Value
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment.cvs.search_index import SEARCH_CONFIG, Transliterated
from recruitment.models import Posting
from recruitment.pool import selectors
from recruitment.pool.selectors import (
    HEADLINE_OPTIONS,
    MARK_START,
    PoolFilters,
    _Snippet,
    _StripMarks,
    highlighted,
    search_pool,
)
from tests.recruitment.pool.builders import person

pytestmark = pytest.mark.django_db

# Words of a CV, hostile ones among them; none contains the words searched for below.
FILLER = [
    "Senior",
    "developer,",
    "<script>alert('x')</script>",
    '"quoted"',
    "&amp;",
    "C++",
    "node.js",
    "e-mail:",
    "ana@example.com",
    "Програмер",
    "Љубљана",
    "Kovačević",
    "Straße",
    "ﬁnance",  # a ligature, as PDFs give them: `unaccent` makes it two letters
    "…",
    "\ue000",  # a highlight mark in the text itself: stripped, never markup
    "\ue001",
    "x" * 40,
    "\n",
]


def filler(words: int, shift: int = 0) -> str:
    return " ".join(FILLER[(n + shift) % len(FILLER)] for n in range(words))


def snippet_of(text: str, words: str, posting: Posting) -> str:
    """The product's snippet of `text` for the words typed (as the search builds its
    document: marks stripped, transliterated), evaluated alone."""
    document = Transliterated(_StripMarks(Value(text)))
    return str(
        Posting.objects.filter(pk=posting.pk)
        .annotate(snippet=_Snippet(document, selectors._search_query(words)))
        .values_list("snippet", flat=True)
        .get()
    )


def whole_text_headline(text: str, words: str, posting: Posting) -> str:
    """ts_headline over the whole text, as the search did before the window."""
    options: dict[str, Any] = {
        "start_sel": HEADLINE_OPTIONS["StartSel"],
        "stop_sel": HEADLINE_OPTIONS["StopSel"],
        "max_words": HEADLINE_OPTIONS["MaxWords"],
        "min_words": HEADLINE_OPTIONS["MinWords"],
        "max_fragments": HEADLINE_OPTIONS["MaxFragments"],
        "fragment_delimiter": HEADLINE_OPTIONS["FragmentDelimiter"],
    }
    headline = SearchHeadline(
        Transliterated(_StripMarks(Value(text))),
        selectors._search_query(words),
        config=SEARCH_CONFIG,
        **options,
    )
    return str(
        Posting.objects.filter(pk=posting.pk)
        .annotate(snippet=headline)
        .values_list("snippet", flat=True)
        .get()
    )


def marked(snippet: str) -> str:
    return str(highlighted(snippet))


def only_marks_are_markup(snippet: str) -> None:
    assert "<script" not in snippet
    assert snippet.count("<") == snippet.count("<mark>") + snippet.count("</mark>")
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_a_match_deep_in_a_long_cv_is_highlighted_in_a_short_snippet(posting: Posting) -> None:
    member = person(
        posting,
        now=timezone.now(),
        cv_text=f"{filler(3000)} Expert in Haskell and Elm. {filler(2000)}",
    )
    [result] = search_pool(PoolFilters(query="haskell"), now=timezone.now()).object_list
    snippet = str(result.snippet)
    assert result.candidate.pk == member.candidate_id
    assert "<mark>Haskell</mark>" in snippet
    assert "&quot;quoted&quot;" in snippet and "&amp;amp;" in snippet
    assert len(snippet) < 1000
    only_marks_are_markup(snippet)


def test_the_window_finds_a_word_written_with_diacritics_and_in_cyrillic(
    posting: Posting,
) -> None:
    text = f"{filler(2000)} Đurić, Вештине: Erlang {filler(500)}"
    assert "<mark>Đurić</mark>" in marked(snippet_of(text, "djuric", posting))
    assert "<mark>Veštine</mark>" in marked(snippet_of(text, "vestine", posting))
    assert "<mark>Erlang</mark>" in marked(snippet_of(text, "ERLANG", posting))


@pytest.mark.parametrize("query", ['"project manager"', "project manager", "manager project"])
def test_a_match_outside_the_first_window_is_found_in_the_whole_text(
    posting: Posting, query: str
) -> None:
    # "project" alone comes first: the window around it holds no "manager", so
    # ts_headline reads the whole text and shows where both are.
    text = f"A project. {filler(1500)} Worked as project manager for years. {filler(300)}"
    snippet = marked(snippet_of(text, query, posting))
    assert "<mark>project</mark> <mark>manager</mark> for years" in snippet
    assert snippet == marked(whole_text_headline(text, query, posting))


def test_a_match_only_in_the_posting_title_gives_the_whole_texts_headline(
    posting: Posting,
) -> None:
    text = filler(800)
    assert snippet_of(text, "welder", posting) == whole_text_headline(text, "welder", posting)


def test_the_query_words_are_escaped_in_the_pattern(posting: Posting) -> None:
    # Regular-expression characters in what is typed are only characters.
    text = f"{filler(900)} node.js and C++ and a.b.c {filler(100)}"
    assert "<mark>node.js</mark>" in marked(snippet_of(text, "node.js", posting))
    assert MARK_START not in snippet_of(text, "n.de", posting)
    # "(x|" asks for the word "x" (in "alert('x')"), not for a pattern.
    assert snippet_of(text, "(x|", posting) == whole_text_headline(text, "(x|", posting)
    assert MARK_START not in snippet_of(text, "y|z", posting)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.integers(0, 3000),
    after=st.integers(0, 1000),
    shift=st.integers(0, len(FILLER) - 1),
    target=st.sampled_from(["Zanzibar", "ZANZIBAR", "Zanzibar's", "Žanzibar", "Занзибар"]),
    query=st.sampled_from(["zanzibar", "Zanzibar", "žanzibar", "Занзибар", '"zanzibar"']),
)
def test_the_window_marks_the_match_wherever_it_is_and_nothing_else(
    posting: Posting, before: int, after: int, shift: int, target: str, query: str
) -> None:
    text = f"{filler(before, shift)} {target} {filler(after, shift)}"
    snippet = snippet_of(text, query, posting)
    whole = whole_text_headline(text, query, posting)
    # Highlighted exactly when the whole text's headline is (the same match found)...
    assert (MARK_START in snippet) == (MARK_START in whole)
    # ...and here it always is: the word is in the text, in one form or another.
    assert MARK_START in snippet
    # Whatever the text holds, only the marks become markup.
    only_marks_are_markup(marked(snippet))
