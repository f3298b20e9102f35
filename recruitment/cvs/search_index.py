"""The talent pool's search vector of applications (Application.search_vector), kept in SQL.

One vector per application, from its CV's extracted text (weight A), its cover letter (B)
and its posting's title (C), each transliterated to Latin (`ats_translit`, see
transliteration.py) and parsed with the `ats_search` configuration (simple + unaccent),
both created by migration 0024. A new application gets its vector in its INSERT
(`vector_for`); the services that change any of those texts later call
`refresh_search_vectors` in their transaction: one UPDATE, however many rows.

On SQLite (the embedded default) there is no vector: the pool's fallback search reads the
texts themselves (recruitment.pool.selectors), so this does nothing there.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from recruitment.models import Application, CurriculumVitae, Posting

SEARCH_CONFIG = "ats_search"


class Transliterated(Func):
    """`ats_translit(text)`: Serbian Cyrillic written in Latin (migration 0024)."""

    function = "ats_translit"
    output_field = TextField()


def _latest_cv_text() -> Subquery:
    return Subquery(
        CurriculumVitae.objects.filter(application=OuterRef("pk"))
        .order_by("-created_at")
        .values("text")[:1],
        output_field=TextField(),
    )


def _searchable(expression: object) -> Transliterated:
    return Transliterated(Coalesce(expression, Value(""), output_field=TextField()))


def search_vector_expression() -> CombinedExpression:
    """The vector of the outer application, for an UPDATE of applications."""
    title = Subquery(Posting.objects.filter(pk=OuterRef("posting_id")).values("title")[:1])
    return (
        SearchVector(_searchable(_latest_cv_text()), config=SEARCH_CONFIG, weight="A")
        + SearchVector(_searchable(F("cover_letter")), config=SEARCH_CONFIG, weight="B")
        + SearchVector(_searchable(title), config=SEARCH_CONFIG, weight="C")
    )


def vector_for(*, cv_text: str, cover_letter: str, title: str) -> CombinedExpression | None:
    """The vector of texts at hand, for the INSERT of a new application (no query of its
    own); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    return (
        SearchVector(_searchable(Value(cv_text)), config=SEARCH_CONFIG, weight="A")
        + SearchVector(_searchable(Value(cover_letter)), config=SEARCH_CONFIG, weight="B")
        + SearchVector(_searchable(Value(title)), config=SEARCH_CONFIG, weight="C")
    )


def refresh_search_vectors(applications: QuerySet[Application]) -> int:
    """Recomputes the search vector of `applications` in one UPDATE; returns how many rows.

    Call it in the transaction that changed a CV, a cover letter or a posting's title.
    Safe to rerun (the same texts give the same vector). Nothing on SQLite."""
    if connection.vendor != "postgresql":
        return 0
    return applications.update(search_vector=search_vector_expression())
