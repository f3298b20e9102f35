"""Pipeline board at scale: server time to render a posting's board (GET staff:pipeline as a
recruiter on the posting, through Django's test client, so the whole request: middleware,
session, queries, audit row, template) with 5,000 applications against the same with 50,
and the 50-application board while 20,000 more sit in 40 other postings of the same team.

Each column shows one page and counts come from one grouped query, so the board must cost
the same whatever the posting or the table holds: same query count at 50 and 5,000
(asserted), time ratio target <= 2.
"""

import logging
import os
import statistics
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from bench.data import bench_posting
from recruitment.models import Application, Candidate, InterviewNote, Posting, TeamMembership

SMALL = int(os.environ.get("BENCH_BOARD_SMALL", "50"))
LARGE = int(os.environ.get("BENCH_BOARD_LARGE", "5000"))
ACROSS = int(os.environ.get("BENCH_BOARD_ACROSS", "20000"))
ACROSS_POSTINGS = 40
RENDERS = int(os.environ.get("BENCH_BOARD_RENDERS", "15"))
STAGES = [stage for stage, _ in Application.Stage.choices]


def new_posting(tag: str) -> Posting:
    return bench_posting(f"Bench board {tag}")


def fill(posting: Posting, candidates: list[Candidate], count: int) -> None:
    """`count` applications spread over every stage, one note on every tenth."""
    applications = Application.objects.bulk_create(
        (
            Application(
                candidate=candidate,
                posting=posting,
                stage=STAGES[i % len(STAGES)],
                language="en",
                attested_min_age=15,
            )
            for i, candidate in enumerate(candidates[:count])
        ),
        batch_size=5000,
    )
    InterviewNote.objects.bulk_create(
        (
            InterviewNote(application=a, body="Bench note.", kind="general", rating=3)
            for a in applications[::10]
        ),
        batch_size=5000,
    )


class QueryCounter:
    """Counts the queries run on the default connection (survives reconnects)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def render(client: Client, posting: Posting) -> tuple[float, int]:
    """(ms, queries) of one render of the posting's board."""
    url = reverse("staff:pipeline", kwargs={"pk": posting.pk})
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"board of {posting.title}: HTTP {response.status_code}")
    return elapsed, counter.count


def render_times(client: Client, postings: list[Posting]) -> list[tuple[float, int]]:
    """(median ms of RENDERS renders, queries per render) of each posting's board, rendered
    in turn (so the machine's noise falls on all of them alike), after 3 warm-up rounds."""
    samples: list[list[float]] = [[] for _ in postings]
    queries: list[set[int]] = [set() for _ in postings]
    for round_ in range(RENDERS + 3):
        for n, posting in enumerate(postings):
            elapsed, count = render(client, posting)
            queries[n].add(count)
            if round_ >= 3:
                samples[n].append(elapsed)
    for n, counts in enumerate(queries):
        if len(counts) != 1:
            raise RuntimeError(f"board of {postings[n].title}: query counts vary: {counts}")
    return [(statistics.median(s), q.pop()) for s, q in zip(samples, queries, strict=True)]


def run() -> list[dict[str, Any]]:
    logging.getLogger("axes").setLevel(logging.WARNING)  # one login line per force_login
    print(
        f"pipeline board: {SMALL} and {LARGE} applications on one posting; {SMALL} with "
        f"{ACROSS} more across {ACROSS_POSTINGS} postings (median of {RENDERS} renders)"
    )
    most = max(LARGE, ACROSS // ACROSS_POSTINGS, SMALL)
    tag = time.monotonic_ns()
    candidates = Candidate.objects.bulk_create(
        (
            Candidate(email=f"board-{tag}-{i}@example.com", full_name=f"Board Person {i}")
            for i in range(most)
        ),
        batch_size=5000,
    )
    small, large = new_posting("small"), new_posting("large")
    fill(small, candidates, SMALL)
    fill(large, candidates, LARGE)
    user = User.objects.create_user(username=f"bench-recruiter-{tag}", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    for posting in (small, large):
        TeamMembership.objects.create(posting=posting, user=user, role="recruiter")
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts):
        client = Client()
        client.force_login(user)
        (small_ms, small_queries), (large_ms, large_queries) = render_times(client, [small, large])
        print(f"  {SMALL:>6} applications: {small_ms:.1f} ms, {small_queries} queries")
        print(f"  {LARGE:>6} applications: {large_ms:.1f} ms, {large_queries} queries")
        if small_queries != large_queries:
            raise RuntimeError(
                f"the board runs {large_queries} queries at {LARGE} and {small_queries} at {SMALL}"
            )
        per_posting = ACROSS // ACROSS_POSTINGS
        for n in range(ACROSS_POSTINGS):
            other = new_posting(f"across-{n}")
            fill(other, candidates, per_posting)
            TeamMembership.objects.create(posting=other, user=user, role="recruiter")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Application._meta.db_table}")
        [(across_ms, across_queries)] = render_times(client, [small])
        print(
            f"  {SMALL:>6} applications, {ACROSS} more across postings: {across_ms:.1f} ms, "
            f"{across_queries} queries"
        )
    return [
        {
            "name": f"board render, {LARGE} vs {SMALL} apps",
            "value": large_ms,
            "unit": "ms",
            "baseline": small_ms,
            "ratio": large_ms / small_ms,
            "target": "<= 2",
            "queries": large_queries,
            "baseline_queries": small_queries,
        },
        {
            "name": f"board render, {SMALL} apps + {ACROSS} elsewhere vs {SMALL}",
            "value": across_ms,
            "unit": "ms",
            "baseline": small_ms,
            "ratio": across_ms / small_ms,
            "target": "<= 2",
            "queries": across_queries,
            "baseline_queries": small_queries,
        },
    ]
