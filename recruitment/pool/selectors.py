"""The talent pool's reads. Every one of them starts from `pool_applications(now)`.

**Membership** (computed in SQL at request time, so a consent that lapses takes its person
out at once, before any purge runs). An application is in the pool iff

- a talent-pool consent of its candidate is in force now (confirmed by the owner of the
  address, not withdrawn, not expired: `RetentionConsent.objects.in_force`) and covers it
  (one given for this application, or one given in the portal, which covers them all);
  an application the consent does not cover is not searched, even if its person is in
  the pool: the consent says what may be kept and used for future openings, and nothing
  else was agreed to (purpose limitation);
- no application of the person is restricted (processing frozen at their request);
- the person has no objection request that is open (pending: they are not contacted
  while it is decided) or resolved (upheld); a refused objection was decided against, so
  it does not exclude them (their consent still stands);
- it has no erasure request or under-age flag pending (it is about to be erased).

A person is in the pool iff at least one of their applications is. Filters and the query
typed can only narrow this set: they are applied after it, to the same rows.

**Search**: on PostgreSQL, the application's stored vector (recruitment.cvs.search_index:
the CV's text, the cover letter, the posting's title; `ats_search` configuration) against
the words typed, in websearch syntax (quotes, OR, -word), transliterated to Latin; ranked
by ts_rank_cd, a person by their best application; highlighted by ts_headline on the
transliterated text of that application (a window of it around the match: `_Snippet`).
On SQLite (the embedded default) the same texts are normalised (transliterated, accents
stripped, case-folded) and matched as substrings in Python, ranked by the number of hits:
the same people for simple queries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Count,
    Exists,
    Expression,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    UUIDField,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ats.tokens import token_hash
from recruitment import access
from recruitment.cvs.search_index import SEARCH_CONFIG, Transliterated
from recruitment.cvs.transliteration import to_latin
from recruitment.models import (
    FORWARD_STAGES,
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    DataSubjectRequest,
    InterviewNote,
    Invitation,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.models.candidates import ConsentQuerySet

PAGE_SIZE = 20
# The highlight marks ts_headline puts around matches: private-use characters, which the
# text is stripped of first (recruitment.cvs.text strips them from CVs; the snippet's SQL
# from cover letters), so that everything else can be escaped and only they become <mark>.
MARK_START, MARK_STOP = "\ue000", "\ue001"
# How much text a snippet shows around a match (SQLite's fallback; ts_headline's own options
# on PostgreSQL).
SNIPPET_CHARS = 160


def may_use_pool(user: Any) -> bool:
    """Admins, and recruiters (of any posting: the consent is to the company's future
    openings, whichever posting they came from). Interviewers, hiring managers and everyone
    else: no. One EXISTS query for non-admins, remembered on the user object as Django
    remembers its permissions (`_perm_cache`): a pool page asks, then its navigation
    link; the next request loads its user afresh."""
    if not access.is_staff_member(user) or not isinstance(user, User):
        return False
    if access.is_admin(user):
        return True
    if not hasattr(user, "_may_use_pool"):
        recruiter = TeamMembership.objects.filter(user=user, role=TeamMembership.Role.RECRUITER)
        user._may_use_pool = recruiter.exists()  # type: ignore[attr-defined]
    return bool(user._may_use_pool)  # type: ignore[attr-defined]


def _consents_in_force(now: datetime) -> ConsentQuerySet:
    return RetentionConsent.objects.in_force(now).filter(scope=RetentionConsent.Scope.TALENT_POOL)


def pool_applications(now: datetime) -> QuerySet[Application]:
    """The applications in the pool at `now` (membership: see the module docstring). The
    one queryset every pool read starts from."""
    covering = _consents_in_force(now).covering_outer_application()
    restricted = Application.objects.filter(candidate=OuterRef("candidate"), restricted=True)
    # Pending or upheld (a refused one was decided against: their consent stands).
    objections = DataSubjectRequest.objects.standing_objections().filter(
        candidate=OuterRef("candidate")
    )
    return Application.objects.filter(
        Exists(covering),
        ~Exists(restricted),
        ~Exists(objections),
        erasure_requested_at__isnull=True,
        under_age_flagged_at__isnull=True,
    )


def pool_members(now: datetime) -> QuerySet[Candidate]:
    """The people in the pool at `now`."""
    return Candidate.objects.filter(Exists(pool_applications(now).filter(candidate=OuterRef("pk"))))


def stages_from(stage: str) -> list[str]:
    """The forward stages at or after `stage` ("reached at least")."""
    order = [str(s) for s in FORWARD_STAGES]
    return order[order.index(stage) :] if stage in order else []


def stage_reached(application: Application, events: Iterable[ApplicationEvent]) -> str:
    """The furthest forward stage an application reached: its stage, or the furthest one a
    stage change took it to (an unsuccessful candidate may have reached the interview)."""
    order = [str(s) for s in FORWARD_STAGES]
    seen = {application.stage, *(event.to_stage for event in events)}
    reached = [stage for stage in order if stage in seen]
    return reached[-1] if reached else order[0]


@dataclass(frozen=True)
class PoolFilters:
    """What a search is narrowed by. `query` is the words typed (never logged or audited)."""

    query: str = ""
    posting_id: int | None = None
    stage: str = ""
    min_rating: int | None = None
    language: str = ""
    consent_expires_before: date | None = None

    def audit_details(self) -> str:
        """The filters as the audit log keeps them: which were set, and whether words were
        typed, never which (they could be a name). No candidate data."""
        parts = [f"query={'yes' if self.query.strip() else 'no'}"]
        if self.stage:
            parts.append(f"stage={self.stage}")
        if self.min_rating is not None:
            parts.append(f"rating>={self.min_rating}")
        if self.language:
            parts.append(f"language={self.language}")
        if self.consent_expires_before is not None:
            parts.append(f"expires<{self.consent_expires_before.isoformat()}")
        return " ".join(parts)[:200]


def _average_rating() -> Subquery:
    return Subquery(
        InterviewNote.objects.filter(application=OuterRef("pk"), rating__isnull=False)
        .values("application")
        .annotate(average=Avg("rating"))
        .values("average")[:1]
    )


def filtered_applications(filters: PoolFilters, now: datetime) -> QuerySet[Application]:
    """The pool's applications that pass the filters (not the query)."""
    return _narrowed(pool_applications(now), filters, now)


def _narrowed(
    applications: QuerySet[Application], filters: PoolFilters, now: datetime
) -> QuerySet[Application]:
    """`applications` (the pool's) narrowed by the filters."""
    if filters.posting_id is not None:
        applications = applications.filter(posting_id=filters.posting_id)
    if filters.stage:
        later = stages_from(filters.stage)
        applications = applications.filter(
            Q(stage__in=later)
            | Exists(
                ApplicationEvent.objects.filter(application=OuterRef("pk"), to_stage__in=later)
            )
        )
    if filters.min_rating is not None:
        applications = applications.alias(rating_filter=_average_rating()).filter(
            rating_filter__gte=filters.min_rating
        )
    if filters.language:
        applications = applications.filter(language=filters.language)
    if filters.consent_expires_before is not None:
        expiring = _consents_in_force(now).covering_outer_application()
        applications = applications.filter(
            Exists(expiring.filter(expires_at__date__lt=filters.consent_expires_before))
        )
    return applications


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class PoolPerson:
    """One person on a results page: what they can do (the snippet), where they applied,
    how far they got, and until when their consent lets us keep and contact them."""

    candidate: Candidate
    rank: float = 0.0
    snippet: SafeString | None = None
    applications: list[Application] = field(default_factory=list)
    consent_expires_at: datetime | None = None


def search_pool(filters: PoolFilters, *, now: datetime, page_number: Any = 1) -> Page:
    """A page of people in the pool matching `filters`, best first (newest first without
    words to search). Each item is a PoolPerson. A fixed number of queries per page: on
    PostgreSQL, the page with its total (one query; a second only for a page past the
    end), the snippets of its people when searched, and their applications (two)."""
    pool = pool_applications(now)  # built once (a few ms of the ORM's), used twice
    applications = _narrowed(pool, filters, now)
    words = filters.query.strip()
    if connection.vendor != "postgresql":
        return _search_pool_in_python(
            applications, words, pool=pool, now=now, page_number=page_number
        )
    query = _search_query(words) if words else None
    with transaction.atomic():
        if query is not None:
            _prefer_the_search_index()
        page, ranks, best = _ranked_page(applications, query, page_number)
        snippets = _snippets(query, best) if query is not None else {}
        if query is None:
            # Set only now when browsing, so that ranking the whole pool keeps the
            # planner's own plan.
            _prefer_the_search_index()
        # The people's applications by index: without it, their membership's anti-joins
        # are planned as hashes over every restricted application (3 ms at 100,000,
        # against under 1 ms by index).
        page.object_list = _people(pool, ranks, snippets, now=now)
    return page


def _set_locally(settings: dict[str, str]) -> None:
    """Planner settings for the rest of the transaction only (SET LOCAL), in one query;
    nothing on SQLite (no planner settings to give)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
            [value for item in settings.items() for value in item],
        )


def _prefer_the_search_index() -> None:
    """For the rest of the transaction, no sequential scans where an index can serve, and
    no JIT compilation.

    PostgreSQL's planner does not count the cost of reading each row's search vector from
    TOAST storage (a few KB per CV), nor the cost of `@@` on it (a catalog function, whose
    cost the role cannot change): from a few thousand applications on it prefers a
    sequential scan that reads every vector to the GIN index. Measured on bench/pool.py's
    100,000 people: 2.1 s with the sequential scan, 3 ms with the index. With
    sequential scans off, a table that has to be scanned anyway costs the planner 10^10,
    far over `jit_above_cost`: JIT would then compile the query for hundreds of ms."""
    _set_locally({"enable_seqscan": "off", "jit": "off"})


class _ArgMax(Func):
    """The first element of an array (`(array)[1]`): of ArrayAgg ordered best first."""

    template = "(%(expressions)s)[1]"

    def __init__(self, array: ArrayAgg) -> None:
        super().__init__(array, output_field=UUIDField())


def _ranked_page(
    applications: QuerySet[Application], query: SearchQuery | None, page_number: Any
) -> tuple[Page, dict[UUID, float], dict[UUID, UUID]]:
    """The page of people with their ranks, and (when searched) the best-matching
    application of each: the one whose snippet is shown. The rank is ts_rank_cd of the
    matching applications (the GIN index finds them), a person's the best of theirs."""
    ranked: QuerySet[Any, dict[str, Any]]
    if query is not None:
        rank = SearchRank(F("search_vector"), query, cover_density=True)
        ranked = (
            applications.filter(search_vector=query)
            .values("candidate_id")
            .annotate(
                rank=Max(rank),
                best=_ArgMax(
                    # Django takes expressions here too; its stubs say strings only.
                    ArrayAgg("pk", order_by=(rank.desc(), "-created_at", "pk")),  # type: ignore[arg-type]
                ),
            )
            .order_by("-rank", "candidate_id")
        )
    else:
        ranked = (
            applications.values("candidate_id")
            .annotate(rank=Value(0.0), latest=Max("created_at"))
            .order_by("-latest", "candidate_id")
        )
    page = _page_with_total(ranked, page_number)
    rows = list(page.object_list)
    ranks = {row["candidate_id"]: row["rank"] for row in rows}
    best = {row["candidate_id"]: row["best"] for row in rows if "best" in row}
    return page, ranks, best


def _page_with_total(ranked: QuerySet[Any, dict[str, Any]], page_number: Any) -> Page:
    """Paginator.get_page(page_number) over `ranked`, in one query instead of two: the
    page's rows carry the total (COUNT(*) OVER (), counted before LIMIT). Only a page past
    the end (or a number below 1, which Django reads as the last page) needs the count
    first, then its rows."""
    counted = ranked.annotate(total=Window(Count("*")))
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    rows = list(counted[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]) if number >= 1 else []
    if rows:
        total = rows[0]["total"]
    elif number == 1:
        total = 0
    else:
        total = ranked.count()
    # The paginator only counts (a range is counted without a query); the rows are ours.
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(page_number)
    if page.number != number and total:
        rows = list(counted[(page.number - 1) * PAGE_SIZE : page.number * PAGE_SIZE])
    page.object_list = rows
    return page


_DJ = re.compile("dj", re.IGNORECASE)


def _search_query(words: str) -> SearchQuery:
    """The words typed, in Latin, in websearch syntax. "dj" is how "đ" is written without
    diacritics, while `unaccent` makes "đ" a "d": a query with "dj" also asks for the
    variant with "đ" ("djuric" finds "Đurić" and "Djurić")."""
    latin = to_latin(words)
    query = SearchQuery(latin, search_type="websearch", config=SEARCH_CONFIG)
    variant = _DJ.sub(lambda match: "Đ" if match.group()[0].isupper() else "đ", latin)
    if variant != latin:
        query = query | SearchQuery(variant, search_type="websearch", config=SEARCH_CONFIG)
    return query


class _StripMarks(Func):
    """The text without the highlight marks (so only ts_headline's own become <mark>)."""

    function = "replace"
    template = f"replace(replace(%(expressions)s, '{MARK_START}', ''), '{MARK_STOP}', '')"
    output_field = TextField()


# ts_headline's options (the same for the window and for the whole text).
HEADLINE_OPTIONS = {
    "StartSel": MARK_START,
    "StopSel": MARK_STOP,
    "MaxWords": 30,
    "MinWords": 12,
    "MaxFragments": 2,
    "FragmentDelimiter": " … ",
}
# The window of text ts_headline reads: from WINDOW_BEFORE characters before the first
# word of the query found in the text, WINDOW_CHARS long (fragments of MaxWords words
# around the match fit well inside it).
WINDOW_BEFORE, WINDOW_CHARS = 300, 1200


class _Snippet(Expression):
    """The highlighted snippet of a document: ts_headline over a window of the text
    rather than the whole CV. ts_headline parses every word it is given (a two-page CV:
    most of a results page's search time); the window is a fifth of that.

    The window is found cheaply: the first place where a word of the query (a lexeme of
    the tsquery itself: what the search matched) starts a word of the text, by a regular
    expression over the text as written (case aside), else over its `unaccent` form
    (what the search compared). It is WINDOW_CHARS characters from WINDOW_BEFORE before
    that place, cut at whitespace. When the window does not match the query as a whole
    (its words only in the posting's title, a phrase or another word of an AND further
    on, a letter `unaccent` made two that shifted the window), ts_headline reads the
    whole text, as it did before. Everything is computed once per row (OFFSET 0 keeps
    PostgreSQL from copying the document's expression into each use)."""

    output_field = TextField()

    def __init__(self, document: Any, query: SearchQuery) -> None:
        super().__init__(output_field=TextField())
        self.document, self.query = document, query

    def get_source_expressions(self) -> list[Any]:
        return [self.document, self.query]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.document, self.query = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        document_sql, document_params = compiler.compile(self.document)
        query_sql, query_params = compiler.compile(self.query)
        options = ", ".join(
            connection.ops.compose_sql(f"{option}=%s", [value])
            for option, value in HEADLINE_OPTIONS.items()
        )
        headline = "ts_headline(%s::regconfig, {text}, d.q, %s)"
        headline_params = [SEARCH_CONFIG, options]
        # The query's words as a regular expression, \m(word|word)\M: the lexemes of the
        # tsquery's text ('word' & 'other'), quotes undoubled, every character but a
        # letter or a digit escaped. Uncorrelated: computed once per query.
        # Only the compiled expressions' SQL is put together here; values are parameters.
        pattern = (
            "(SELECT '\\m(' || string_agg(regexp_replace(replace(m[1], '''''', ''''),"  # noqa: S608
            " '([^[:alnum:]])', '\\\\\\1', 'g'), '|') || ')\\M'"
            f" FROM regexp_matches(({query_sql})::text, '''((?:[^'']|'''')+)''', 'g') m)"
        )
        parts: list[tuple[str, list[Any]]] = [
            (
                # The window if it holds a match of the query (all of it: a phrase, every
                # word of an AND), else the whole text.
                "(SELECT CASE WHEN to_tsvector(%s::regconfig, p.part) @@ d.q"
                f" THEN {headline.format(text='p.part')}"
                f" ELSE {headline.format(text='d.doc')} END",
                [SEARCH_CONFIG, *headline_params, *headline_params],
            ),
            (
                f" FROM (SELECT {document_sql} AS doc, {query_sql} AS q OFFSET 0) d",
                [*document_params, *query_params],
            ),
            (
                # As written (case aside: cheap, and exact), else after `unaccent`.
                " CROSS JOIN LATERAL (SELECT greatest(1, coalesce("  # noqa: S608
                "nullif(regexp_instr(d.doc, x.pattern, 1, 1, 0, 'i'), 0),"
                " regexp_instr(lower(unaccent(d.doc)), x.pattern), 0) - %s) AS start"
                f" FROM (SELECT {pattern} AS pattern) x OFFSET 0) f",
                [WINDOW_BEFORE, *query_params],
            ),
            (
                # Whole words only: a word the window cuts at either end goes.
                " CROSS JOIN LATERAL (SELECT regexp_replace(regexp_replace("
                "substr(d.doc, f.start, %s), CASE WHEN f.start > 1 THEN '^\\S*' ELSE '^' END,"
                " ''), CASE WHEN f.start + %s <= length(d.doc) THEN '\\S*$' ELSE '$' END, '')"
                " AS part OFFSET 0) p)",
                [WINDOW_CHARS, WINDOW_CHARS],
            ),
        ]
        sql = "".join(part for part, _ in parts)
        params = [param for _, part_params in parts for param in part_params]
        return sql, params


def _snippets(query: SearchQuery, best: dict[UUID, UUID]) -> dict[UUID, SafeString]:
    """The highlighted text (CV and cover letter) of each person's best-matching
    application (`best`: person -> application, from the ranked page), in one query over
    those applications only.

    Keyed by application. Their membership is not asked again here: the ranked page found
    them in the pool moments before, and `_people`, which runs last, shows a snippet only
    with an application it still finds in the pool."""
    if not best:
        return {}
    latest_cv_text = Subquery(
        CurriculumVitae.objects.filter(application=OuterRef("pk"))
        .order_by("-created_at")
        .values("text")[:1],
        output_field=TextField(),
    )
    document = Transliterated(
        _StripMarks(
            Concat(
                Coalesce(latest_cv_text, Value(""), output_field=TextField()),
                Value("\n"),
                F("cover_letter"),
                output_field=TextField(),
            )
        )
    )
    rows = (
        Application.objects.filter(pk__in=list(best.values()))
        .annotate(snippet=_Snippet(document, query))
        .order_by()
        .values_list("pk", "snippet")
    )
    return {pk: highlighted(snippet) for pk, snippet in rows}


def highlighted(marked: str) -> SafeString:
    """Hostile text made safe: everything escaped, then only the marks become <mark>."""
    return mark_safe(  # noqa: S308 - escaped first; only the marks are markup
        escape(marked).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    )


# The columns `_people` reads: the application's own that `person_applications` uses, its
# person's name, its posting's title. Any other would be read row by row if used.
_RESULT_FIELDS = (
    "candidate_id",
    "posting_id",
    "stage",
    "created_at",
    "candidate__full_name",
    "posting__title",
)


def _people(
    pool: QuerySet[Application],
    ranks: dict[UUID, float],
    snippets: dict[UUID, SafeString],
    *,
    now: datetime,
) -> list[PoolPerson]:
    """The page's people, in rank order, with their applications in `pool` (each with its
    person and the person's consent expiry) and the snippet of the one among them that
    has it (`snippets`, by application): two queries. Someone who left the pool since the
    page was ranked is left out, and so is a snippet of an application that did."""
    if not ranks:
        return []
    expiry = Subquery(
        _consents_in_force(now)
        .filter(candidate=OuterRef("candidate_id"))
        .order_by("-expires_at")
        .values("expires_at")[:1]
    )
    applications = (
        pool.filter(candidate_id__in=list(ranks))
        .select_related("candidate")
        # What a result shows: not the rows' other columns (a posting's description, a
        # cover letter), which cost reading and converting, 20 rows at a time.
        .only(*_RESULT_FIELDS)
        .annotate(consent_expires_at=expiry)
    )
    people: dict[UUID, PoolPerson] = {}
    for application in person_applications(applications):
        person = people.get(application.candidate_id)
        if person is None:
            person = people[application.candidate_id] = PoolPerson(
                candidate=application.candidate,
                rank=float(ranks[application.candidate_id] or 0.0),
                consent_expires_at=application.consent_expires_at,  # type: ignore[attr-defined]
            )
        person.applications.append(application)
        if application.pk in snippets:
            person.snippet = snippets[application.pk]
    return [people[pk] for pk in ranks if pk in people]


def person_applications(applications: QuerySet[Application]) -> list[Application]:
    """`applications` with what the pool shows of each: posting, stage reached (as
    `.reached`), average rating, newest CV. Two queries (the stage changes prefetched)."""
    rows: list[Application] = list(
        applications.select_related("posting")
        .annotate(average_rating=_average_rating())
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(
                    kind=ApplicationEvent.Kind.STAGE_CHANGED
                ).only("id", "application_id", "to_stage", "created_at"),
                to_attr="stage_changes",
            )
        )
        .order_by("-created_at")
    )
    for application in rows:
        changes = application.stage_changes  # type: ignore[attr-defined]
        reached = stage_reached(application, changes)
        application.reached = reached  # type: ignore[attr-defined]
        application.reached_label = Application.Stage(reached).label  # type: ignore[attr-defined]
    return rows


def pool_person(candidate_id: Any, *, now: datetime) -> tuple[Candidate, list[Application]]:
    """A person of the pool and their pool applications (with their CVs); raises
    Candidate.DoesNotExist for anyone not in the pool now."""
    candidate = pool_members(now).get(pk=candidate_id)
    applications = (
        pool_applications(now)
        .filter(candidate=candidate)
        .prefetch_related(
            Prefetch("cvs", queryset=CurriculumVitae.objects.order_by("-created_at").defer("text"))
        )
    )
    return candidate, person_applications(applications)


def pool_cv(candidate_id: Any, cv_id: Any, *, now: datetime) -> CurriculumVitae:
    """A CV of a pool application of that person; CurriculumVitae.DoesNotExist otherwise."""
    return (
        CurriculumVitae.objects.select_related("application")
        .defer("text")
        .get(
            pk=cv_id,
            application__in=pool_applications(now).filter(candidate_id=candidate_id),
        )
    )


def posting_choices() -> list[tuple[int, str]]:
    """The postings people applied to, for the "Applied to" filter (titles hold no personal
    data): every posting with an application, not only those with someone in the pool now.
    The list then says nothing about who is in the pool (the filter narrows the pool, never
    widens it), and it costs no membership query: an EXISTS per posting, by the
    applications' posting index."""
    applied = Application.objects.filter(posting_id=OuterRef("pk"))
    return list(
        Posting.objects.filter(Exists(applied)).order_by("title", "pk").values_list("pk", "title")
    )


# --------------------------------------------------------------------------------------------
# SQLite: the embedded default's fallback
# --------------------------------------------------------------------------------------------

_TERM = re.compile(r'"([^"]*)"|(\S+)')


def normalised(text: str) -> str:
    """Transliterated, accents stripped, case-folded: how both sides are compared."""
    latin = to_latin(text).replace("đ", "dj").replace("Đ", "Dj")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(ch)
    )
    return stripped.casefold()


def query_terms(words: str) -> list[str]:
    """The terms of a simple query (quoted phrases kept whole; "or" and "-word" ignored:
    the fallback is for simple queries)."""
    terms = []
    for phrase, word in _TERM.findall(words):
        term = normalised(phrase or word).strip()
        if term and term != "or" and not term.startswith("-"):
            terms.append(term)
    return terms


def _search_pool_in_python(
    applications: QuerySet[Application],
    words: str,
    *,
    pool: QuerySet[Application],
    now: datetime,
    page_number: Any,
) -> Page:
    latest_cv_text = Subquery(
        CurriculumVitae.objects.filter(application=OuterRef("pk"))
        .order_by("-created_at")
        .values("text")[:1],
        output_field=TextField(),
    )
    rows = applications.annotate(cv_text=latest_cv_text).values_list(
        "pk", "candidate_id", "created_at", "cv_text", "cover_letter", "posting__title"
    )
    terms = query_terms(words)
    # person -> (score, created_at, application, its snippet) of their best application
    best: dict[UUID, tuple[float, Any, UUID, SafeString | None]] = {}
    for pk, candidate_id, created_at, cv_text, cover_letter, title in rows:
        document = f"{cv_text or ''}\n{cover_letter}"
        if terms:
            searchable = normalised(f"{document}\n{title}")
            hits = [searchable.count(term) for term in terms]
            if not all(hits):
                continue
            score, snippet = float(sum(hits)), _python_snippet(document, terms)
        else:
            score, snippet = 0.0, None
        current = best.get(candidate_id)
        if current is None or (score, created_at) > (current[0], current[1]):
            best[candidate_id] = (score, created_at, pk, snippet)
    order = sorted(best, key=lambda pk: (-best[pk][0], -best[pk][1].timestamp(), str(pk)))
    page = Paginator(order, PAGE_SIZE).get_page(page_number)
    ranks = {pk: best[pk][0] for pk in page.object_list}
    snippets: dict[UUID, SafeString] = {}
    for pk in page.object_list:
        _, _, application_id, snippet = best[pk]
        if snippet is not None:
            snippets[application_id] = snippet
    page.object_list = _people(pool, ranks, snippets, now=now)  # type: ignore[assignment]
    return page


def _python_snippet(document: str, terms: list[str]) -> SafeString | None:
    """A window of the text around its first match, the matches marked. The normalised
    text is aligned with the original one character to one where it can be (it cannot once
    a letter became two, e.g. "љ" -> "lj"; the snippet is then cut from the normalised
    text)."""
    searchable = normalised(document)
    aligned = len(searchable) == len(document)
    source = document if aligned else searchable
    starts = [searchable.find(term) for term in terms]
    found = [s for s in starts if s >= 0]
    if not found:
        return None
    first = min(found)
    begin, end = max(0, first - SNIPPET_CHARS // 2), first + SNIPPET_CHARS
    spans = sorted(
        (m.start(), m.start() + len(term))
        for term in terms
        for m in re.finditer(re.escape(term), searchable[begin:end])
    )
    pieces: list[str] = []
    cursor = 0
    window = source[begin:end]
    for start, stop in spans:
        if start < cursor:
            continue
        pieces.append(escape(window[cursor:start]))
        pieces.append(f"<mark>{escape(window[start:stop])}</mark>")
        cursor = stop
    pieces.append(escape(window[cursor:]))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(source) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped


def consent_expiry(candidate: Candidate, *, now: datetime) -> datetime | None:
    """When the person's latest talent-pool consent in force expires."""
    return (
        _consents_in_force(now)
        .filter(candidate=candidate)
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
    )


# --------------------------------------------------------------------------------------------
# Invitations to apply (recruitment.pool.services.invitations writes them)
# --------------------------------------------------------------------------------------------


def invitable_postings(user: Any, now: datetime) -> QuerySet[Posting]:
    """The postings `user` may invite people to: taking applications now, and managed by
    them (its recruiters; admins: every one)."""
    if not access.is_staff_member(user):
        return Posting.objects.none()
    postings = Posting.objects.accepting_applications(now)
    if not access.is_admin(user):
        recruiter = TeamMembership.objects.filter(
            posting=OuterRef("pk"), user=user, role=TeamMembership.Role.RECRUITER
        )
        postings = postings.filter(Exists(recruiter))
    return postings.order_by("title", "pk")


def invitations_of(candidate_id: Any) -> list[Invitation]:
    """A person's invitations, newest first, with their postings and what came of them."""
    return list(
        Invitation.objects.filter(candidate_id=candidate_id)
        .select_related("posting", "application")
        .order_by("-created_at", "pk")
    )


def invitations_since(candidate_id: Any, since: datetime) -> int:
    """How many invitations the person got since `since` (by whoever sent them)."""
    return Invitation.objects.filter(candidate_id=candidate_id, created_at__gte=since).count()


def _open_invitations(now: datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        application__isnull=True,
        expires_at__gt=now,
        posting__in=Posting.objects.accepting_applications(now),
    ).select_related("posting", "candidate")


def open_invitation_by_token(token: str, *, now: datetime) -> Invitation | None:
    """The invitation an emailed link names, if the link still works: not used to apply
    yet, not expired, its posting still taking applications. None otherwise (wrong,
    spent, expired, erased: all the same to the caller). Read-only."""
    if not token or len(token) > 100:
        return None
    return _open_invitations(now).filter(token_hash=token_hash(token)).first()


def open_invitation(invitation_id: Any, *, posting: Posting, now: datetime) -> Invitation | None:
    """`open_invitation_by_token`'s invitation again, by id (kept in the visitor's
    session), if it is for `posting` and still works. Read-only."""
    if not invitation_id:
        return None
    try:
        return _open_invitations(now).filter(pk=invitation_id, posting=posting).first()
    except (ValueError, ValidationError):  # a malformed id in a tampered session
        return None


def invitation_cv(invitation: Invitation, *, now: datetime) -> CurriculumVitae | None:
    """The CV an invited person may choose to apply with again: the newest CV of their
    applications in the pool now (none once their consent lapses or they restrict
    processing or object: then there is nothing of theirs to offer). Without its text."""
    return (
        CurriculumVitae.objects.filter(
            application__in=pool_applications(now).filter(candidate_id=invitation.candidate_id)
        )
        .select_related("application__posting")
        .defer("text")
        .order_by("-created_at", "pk")
        .first()
    )
