"""Talent pool search at scale: a search at SMALL (1,000) people in the pool against the same
search at LARGE (100,000), each person with about two pages of CV text, and against a bare
primary-key page of the staff workspace (bench/urls.py: the staff views' decorators and base
template around one posting read by its primary key) rendered in the same run.

The people, their applications, CV text and confirmed talent-pool consents are generated in
SQL (generate_series), not by an ORM loop; their search vectors by the product's own single
UPDATE (recruitment.cvs.search_index). Each CV is WORDS words drawn from a vocabulary of
VOCABULARY terms; the skill searched for ("zephyrlang") is written in MATCHES CVs at either
scale, so the comparison is of finding the same people among 1,000 or 100,000: what the GIN
index is for. The page is requested through Django's test client as a recruiter (session,
second factor, audit row, template), median of RENDERS renders after 3 warm-up rounds; the
EXPLAIN of the ranked query is printed, and the benchmark fails if it does not use the
`application_search` GIN index.

Targets: the search at LARGE at most 2x the search at SMALL; at most 3x the bare primary-key
page.
BENCH_POOL_LARGE sets LARGE (the full 100,000 take a while to generate on a small machine).
"""

import os
import statistics
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.data import bench_posting, recruiter_on, staff_client
from recruitment.cvs import search_index
from recruitment.models import Application, Posting
from recruitment.pool import selectors

SMALL = int(os.environ.get("BENCH_POOL_SMALL", "1000"))
LARGE = int(os.environ.get("BENCH_POOL_LARGE", "100000"))
MATCHES = 25
WORDS = 600  # about two pages
VOCABULARY = 5000
RENDERS = int(os.environ.get("BENCH_POOL_RENDERS", "15"))
WARM_UP = 3
QUERY = "zephyrlang"
BATCH = 10_000


def generate(posting: Posting, first: int, last: int, *, every: int) -> None:
    """People first..last (inclusive) in the pool: a candidate, an application to `posting`,
    a CV row with WORDS words of text (QUERY in every `every`-th), a confirmed portal
    consent; in batches of BATCH rows, then their vectors in the product's UPDATE."""
    now = timezone.now()
    for start in range(first, last + 1, BATCH):
        end = min(start + BATCH - 1, last)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO recruitment_candidate (id, email, full_name, phone, created_at,
                    updated_at)
                SELECT md5('c' || g)::uuid, 'pool-' || g || '@example.com',
                    'Pool Person ' || g, '', %(now)s, %(now)s
                FROM generate_series(%(start)s, %(end)s) g;

                INSERT INTO recruitment_application (id, candidate_id, posting_id, stage,
                    full_name, phone, cover_letter, language, attested_min_age, restricted,
                    purge_failures, purge_last_error, recorded_by_staff, source_id, created_at,
                    updated_at)
                SELECT md5('a' || g)::uuid, md5('c' || g)::uuid, %(posting)s, 'unsuccessful',
                    'Pool Person ' || g, '', 'I would like to work with you.', 'en', 15,
                    false, 0, '', false, 'careers', %(now)s, %(now)s
                FROM generate_series(%(start)s, %(end)s) g;

                INSERT INTO recruitment_curriculumvitae (id, application_id, storage_key,
                    original_filename, content_type, size, sha256, text, created_at)
                SELECT md5('v' || g)::uuid, md5('a' || g)::uuid, 'bench-pool-' || g, 'cv.pdf',
                    'application/pdf', 1, repeat('0', 64),
                    (SELECT string_agg('term' || ((hashint4(g * %(words)s + i) & 2147483647)
                        %% %(vocabulary)s), ' ')
                     FROM generate_series(1, %(words)s) i)
                    || CASE WHEN g %% %(every)s = 0 THEN ' Zephyrlang' ELSE '' END,
                    %(now)s
                FROM generate_series(%(start)s, %(end)s) g;

                INSERT INTO recruitment_retentionconsent (id, candidate_id, application_id,
                    scope, text_version, language, channel, given_at, confirmed_at,
                    expires_at)
                SELECT md5('r' || g)::uuid, md5('c' || g)::uuid, NULL, 'talent_pool',
                    repeat('0', 64), 'en', 'portal', %(now)s, %(now)s,
                    %(now)s + interval '300 days'
                FROM generate_series(%(start)s, %(end)s) g;
                """,
                {
                    "now": now,
                    "start": start,
                    "end": end,
                    "posting": posting.pk,
                    "words": WORDS,
                    "vocabulary": VOCABULARY,
                    "every": every,
                },
            )
        # The product's own UPDATE, one batch at a time (one transaction each).
        batch_ids = [f"a{g}" for g in range(start, end + 1)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT md5(x)::uuid FROM unnest(%s::text[]) x", [batch_ids])
            ids = [row[0] for row in cursor.fetchall()]
        search_index.refresh_search_vectors(Application.objects.filter(pk__in=ids))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client: Client, url: str, params: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return elapsed


def medians(client: Client, search: str, bare: str) -> tuple[float, float]:
    """(search, bare) median ms, interleaved."""
    searches, bares = [], []
    for round_ in range(RENDERS + WARM_UP):
        s, b = timed(client, search, {"q": QUERY}), timed(client, bare)
        if round_ >= WARM_UP:
            searches.append(s)
            bares.append(b)
    return statistics.median(searches), statistics.median(bares)


def explain() -> str:
    """The plan of the ranked page query (EXPLAIN ANALYZE): the very SQL a search runs
    (captured), in a transaction with the planner settings the search makes there."""
    with CaptureQueriesContext(connection) as queries:
        selectors.search_pool(selectors.PoolFilters(query=QUERY), now=timezone.now())
    [ranked] = [q["sql"] for q in queries.captured_queries if "ARRAY_AGG" in q["sql"]]
    with transaction.atomic():
        selectors._prefer_the_search_index()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN ANALYZE {ranked}")
            return "\n".join(row[0] for row in cursor.fetchall())


def run() -> list[dict[str, Any]]:
    print(
        f"pool search: '{QUERY}' among {SMALL} and {LARGE} people in the pool "
        f"({WORDS} words of CV text each, {MATCHES} matches at both), vs a bare primary-key page"
    )
    posting = bench_posting("Bench pool")
    recruiter = recruiter_on([posting], "bench-pool-recruiter")
    started = time.perf_counter()
    generate(posting, 1, SMALL, every=SMALL // MATCHES)
    print(f"  generated {SMALL} in {time.perf_counter() - started:.1f} s")
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts, ROOT_URLCONF="bench.urls"):
        client = staff_client(recruiter)
        search = reverse("staff:pool:search")
        bare = reverse("bench_bare_primary_key_page", args=[posting.pk])
        found = selectors.search_pool(
            selectors.PoolFilters(query=QUERY), now=timezone.now()
        ).paginator.count
        small_ms, bare_small_ms = medians(client, search, bare)
        print(f"  {SMALL}: search {small_ms:.1f} ms ({found} found), bare {bare_small_ms:.1f} ms")

        started = time.perf_counter()
        # The rest share no match: QUERY stays in the same MATCHES CVs.
        generate(posting, SMALL + 1, LARGE, every=LARGE * 10)
        print(f"  generated {LARGE - SMALL} more in {time.perf_counter() - started:.1f} s")
        found_large = selectors.search_pool(
            selectors.PoolFilters(query=QUERY), now=timezone.now()
        ).paginator.count
        if found_large != found:
            raise RuntimeError(f"{found_large} found at {LARGE}, {found} at {SMALL}")
        plan = explain()
        print("  EXPLAIN ANALYZE of the ranked query at", LARGE, "people:")
        print("\n".join(f"    {line}" for line in plan.splitlines()))
        if "application_search" not in plan:
            raise RuntimeError("the pool search does not use the GIN index application_search")
        large_ms, bare_ms = medians(client, search, bare)
        print(f"  {LARGE}: search {large_ms:.1f} ms, bare {bare_ms:.1f} ms")
    return [
        {
            "name": f"pool search, {LARGE} vs {SMALL} people",
            "value": large_ms,
            "unit": "ms",
            "baseline": small_ms,
            "ratio": large_ms / small_ms,
            "target": "<= 2",
            "people": LARGE,
        },
        {
            "name": f"pool search at {LARGE} people vs bare primary-key page",
            "value": large_ms,
            "unit": "ms",
            "baseline": bare_ms,
            "ratio": large_ms / bare_ms,
            "target": "<= 3",
            "people": LARGE,
        },
    ]
