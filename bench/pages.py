"""The pages recruiters live in, against a bare staff page rendered in the same run.

Every page is requested through Django's test client as a logged-in person
(`bench.data.staff_client`): the whole middleware stack, a real session, the staff views'
decorators, the queries, the audit row, the template. The baseline is a bench-only view
(bench/urls.py) behind the same decorators that renders the staff base template around no
data. Measured, interleaved (each round requests every page once, so the machine's noise
falls on all alike), median of RENDERS renders after 3 warm-up rounds:

- the pipeline board of a posting with SMALL (50) and with LARGE (5,000) applications;
- the application page of one application with what a real one has (CV, history, notes,
  interviewers, consent, exports), as its recruiter and as an admin (who also sees the
  candidate's exports; privacy officers reach those from their request pages instead);
- the staff home of the recruiter on those postings, and of the privacy officer;
- then, with ACROSS (20,000) more applications in 40 other postings of the same recruiter,
  the SMALL board again.

Targets: every page at most 3x the bare page; the board at LARGE at most 1.5x the board at
SMALL, with the same number of queries (asserted); the SMALL board with ACROSS elsewhere at
most 2x the SMALL board alone.

BENCH_PAGES_PROFILE=1 also prints, for each page, one render's queries (with their time)
and the functions it spent most time in (cProfile), before the timed rounds.
"""

import cProfile
import io
import logging
import os
import pstats
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.data import (
    bench_candidates,
    bench_posting,
    fill,
    recruiter_on,
    staff_client,
    staff_user,
    typical_application,
)
from recruitment.models import TeamMembership

SMALL = int(os.environ.get("BENCH_BOARD_SMALL", "50"))
LARGE = int(os.environ.get("BENCH_BOARD_LARGE", "5000"))
ACROSS = int(os.environ.get("BENCH_BOARD_ACROSS", "20000"))
ACROSS_POSTINGS = 40
RENDERS = int(os.environ.get("BENCH_PAGES_RENDERS", "15"))
PROFILE = os.environ.get("BENCH_PAGES_PROFILE") == "1"
WARM_UP = 3


@dataclass(frozen=True)
class Page:
    name: str
    client: Client
    url: str


@dataclass(frozen=True)
class Timing:
    ms: float  # median
    queries: int  # the most frequent count (a session write once a minute adds one)


class QueryCounter:
    """Counts the queries run on the default connection (survives reconnects)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def render(page: Page) -> tuple[float, int]:
    """(ms, queries) of one request of the page; anything but 200 stops the benchmark."""
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        response = page.client.get(page.url)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{page.name}: HTTP {response.status_code}")
    return elapsed, counter.count


def render_times(pages: list[Page]) -> dict[str, Timing]:
    """Each page's median time over RENDERS rounds that request every page in turn."""
    samples: dict[str, list[float]] = {page.name: [] for page in pages}
    queries: dict[str, Counter[int]] = {page.name: Counter() for page in pages}
    for round_ in range(RENDERS + WARM_UP):
        for page in pages:
            elapsed, count = render(page)
            if round_ >= WARM_UP:
                samples[page.name].append(elapsed)
                queries[page.name][count] += 1
    return {
        name: Timing(statistics.median(samples[name]), queries[name].most_common(1)[0][0])
        for name in samples
    }


def profile(page: Page) -> None:
    """Print one render's queries and its costliest functions (after a warm-up render)."""
    render(page)
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as captured:
        profiler.enable()
        render(page)
        profiler.disable()
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    print(f"\n=== {page.name}: {len(captured)} queries, {sql_ms:.1f} ms in the database")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:160]}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(45)
    if os.environ.get("BENCH_PAGES_PROFILE_TOTTIME") == "1":
        stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def analyze() -> None:
    """Planner statistics for the rows just written, as autovacuum would soon have them:
    without them PostgreSQL plans the board's per-card subqueries as if the notes and
    consents tables were empty (measured: the 5,000 board took 95 ms instead of 58)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run() -> list[dict[str, Any]]:
    logging.getLogger("axes").setLevel(logging.WARNING)  # one login line per force_login
    print(
        f"staff pages vs a bare staff page: board at {SMALL} and {LARGE} applications, an "
        f"application page, two homes; then the {SMALL} board with {ACROSS} more across "
        f"{ACROSS_POSTINGS} postings (median of {RENDERS} renders)"
    )
    candidates = bench_candidates(max(LARGE, ACROSS // ACROSS_POSTINGS, SMALL), "pages")
    small, large = bench_posting("Bench board small"), bench_posting("Bench board large")
    small_applications = fill(small, candidates, SMALL)
    fill(large, candidates, LARGE)
    recruiter = recruiter_on([small, large])
    officer = staff_user("bench-officer", groups=["Privacy officers"])
    admin = staff_user("bench-admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    interviewers = [staff_user(f"bench-interviewer-{n}") for n in range(2)]
    TeamMembership.objects.bulk_create(
        TeamMembership(posting=small, user=user, role=TeamMembership.Role.INTERVIEWER)
        for user in interviewers
    )
    application = small_applications[0]
    typical_application(application, staff=[recruiter, *interviewers])
    analyze()

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts, ROOT_URLCONF="bench.urls"):
        as_recruiter, as_officer = staff_client(recruiter), staff_client(officer)
        as_admin = staff_client(admin)
        board = "staff:pipeline"
        pages = [
            Page("bare", as_recruiter, reverse("bench_bare_staff_page")),
            Page("board small", as_recruiter, reverse(board, kwargs={"pk": small.pk})),
            Page("board large", as_recruiter, reverse(board, kwargs={"pk": large.pk})),
            Page(
                "application",
                as_recruiter,
                reverse("staff:application", kwargs={"pk": application.pk}),
            ),
            Page(
                "application (admin)",
                as_admin,
                reverse("staff:application", kwargs={"pk": application.pk}),
            ),
            Page("home", as_recruiter, reverse("staff:home")),
            Page("home (officer)", as_officer, reverse("staff:home")),
        ]
        if PROFILE:
            for page in pages:
                profile(page)
        timings = render_times(pages)
        for page in pages:
            timing = timings[page.name]
            print(f"  {page.name:<24} {timing.ms:7.1f} ms, {timing.queries} queries")
        if timings["board small"].queries != timings["board large"].queries:
            raise RuntimeError(
                f"the board runs {timings['board large'].queries} queries at {LARGE} "
                f"and {timings['board small'].queries} at {SMALL}"
            )

        per_posting = ACROSS // ACROSS_POSTINGS
        others = [bench_posting(f"Bench board across {n}") for n in range(ACROSS_POSTINGS)]
        for other in others:
            fill(other, candidates, per_posting)
        TeamMembership.objects.bulk_create(
            TeamMembership(posting=other, user=recruiter, role=TeamMembership.Role.RECRUITER)
            for other in others
        )
        analyze()
        across = render_times([pages[1]])["board small"]
        print(f"  board small, {ACROSS} more across postings: {across.ms:.1f} ms")

    def row(name: str, value: Timing, baseline: Timing, target: str) -> dict[str, Any]:
        return {
            "name": name,
            "value": value.ms,
            "unit": "ms",
            "baseline": baseline.ms,
            "ratio": value.ms / baseline.ms,
            "target": target,
            "queries": value.queries,
            "baseline_queries": baseline.queries,
        }

    bare = timings["bare"]
    return [
        row(f"board render, {SMALL} apps vs bare staff page", timings["board small"], bare, "<= 3"),
        row(f"board render, {LARGE} apps vs bare staff page", timings["board large"], bare, "<= 3"),
        row("application page vs bare staff page", timings["application"], bare, "<= 3"),
        row(
            "application page (admin, with exports) vs bare",
            timings["application (admin)"],
            bare,
            "<= 3",
        ),
        row("staff home (recruiter) vs bare staff page", timings["home"], bare, "<= 3"),
        row("staff home (privacy officer) vs bare", timings["home (officer)"], bare, "<= 3"),
        row(
            f"board render, {LARGE} vs {SMALL} apps",
            timings["board large"],
            timings["board small"],
            "<= 1.5",
        ),
        row(
            f"board render, {SMALL} apps + {ACROSS} elsewhere vs {SMALL}",
            across,
            timings["board small"],
            "<= 2",
        ),
    ]
