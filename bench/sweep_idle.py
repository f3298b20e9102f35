"""Sweep cost with nothing due: the retention sweep's due query (and a whole `sweep()` that
finds nothing) on 200,000 applications against the same on 2,000.

The beat runs the sweep every few minutes whether or not anything is due, so an idle sweep
must cost the same however many applications the database holds: the due query reads the
partial index on purge_due_at (only scheduled applications are in it), never the table.
Every application here is either unscheduled (purge_due_at null, most of them) or due later
(in the future), so nothing is erased. Target: ratio <= 2.
"""

import contextlib
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from bench.data import bench_posting
from recruitment.models import Application, Candidate, Posting
from recruitment.retention.services import purge

SMALL = int(os.environ.get("BENCH_IDLE_SMALL", "2000"))
LARGE = int(os.environ.get("BENCH_IDLE_LARGE", "200000"))
INDEX = "application_purge_due"
PER_POSTING = 1000  # applications per posting: one candidate may apply to each posting once
DUE_LATER_EVERY = 50  # one in 50 is scheduled, but not yet due
REPEATS = int(os.environ.get("BENCH_IDLE_REPEATS", "200"))


class IdleData:
    """Unscheduled and due-later applications: PER_POSTING candidates applying to many
    postings, so the table grows without as many candidates."""

    def __init__(self) -> None:
        self.count = 0
        self.postings: list[Posting] = []
        now = timezone.now()
        self.candidates = Candidate.objects.bulk_create(
            (
                Candidate(email=f"idle-{i}@example.com", full_name=f"Idle Person {i}")
                for i in range(PER_POSTING)
            ),
            batch_size=5000,
        )
        self.now = now

    def grow_to(self, total: int) -> None:
        while self.count < total:
            posting = bench_posting("Bench idle", published_at=self.now)
            self.postings.append(posting)
            take = min(PER_POSTING, total - self.count)
            later = self.now + timedelta(days=30)
            Application.objects.bulk_create(
                (
                    Application(
                        candidate=candidate,
                        posting=posting,
                        stage="applied",
                        language="en",
                        attested_min_age=15,
                        purge_due_at=later if (self.count + i) % DUE_LATER_EVERY == 0 else None,
                    )
                    for i, candidate in enumerate(self.candidates[:take])
                ),
                batch_size=5000,
            )
            self.count += take
        settle()

    def delete(self) -> None:
        ids = [p.pk for p in self.postings]
        Application.objects.filter(posting_id__in=ids)._raw_delete(connection.alias)
        Posting.objects.filter(pk__in=ids)._raw_delete(connection.alias)
        Candidate.objects.filter(pk__in=[c.pk for c in self.candidates])._raw_delete(
            connection.alias
        )


def settle() -> None:
    """What autovacuum would do after a bulk load, done now so it does not run (and skew the
    timings) in the background while we measure: vacuum, statistics, a checkpoint."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {Application._meta.db_table}")
        with contextlib.suppress(DatabaseError):  # needs a superuser; only steadies timings
            cursor.execute("CHECKPOINT")


def due_ids(now: Any) -> list[Any]:
    """The sweep's own read: one batch of due ids."""
    batch = settings.RETENTION_BATCH_SIZE
    return list(purge.due_applications(now=now).values_list("pk", flat=True)[:batch])


def median_ms(call: Callable[[], Any], repeats: int = REPEATS) -> float:
    call()  # warm: connection, plan cache
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def execution_ms(plan: str) -> float:
    """PostgreSQL's own "Execution Time" from an EXPLAIN ANALYZE plan."""
    line = next(line for line in plan.splitlines() if line.startswith("Execution Time:"))
    return float(line.split()[2])


def measure(size: int) -> tuple[float, float, str]:
    """(due query ms, sweep ms, EXPLAIN ANALYZE plan) with `size` applications."""
    now = timezone.now()
    if due_ids(now):
        raise RuntimeError("something is due: the idle sweep benchmark needs nothing due")
    batch = settings.RETENTION_BATCH_SIZE
    plan = (
        purge.due_applications(now=now)
        .values_list("pk", flat=True)[:batch]
        .explain(analyze=True, buffers=True)
    )
    query_ms = median_ms(lambda: due_ids(now))

    def idle_sweep() -> None:
        report = purge.sweep(now=now)
        if report.erased or report.failed or report.skipped:
            raise RuntimeError(f"the idle sweep did something: {report}")

    sweep_ms = median_ms(idle_sweep)
    return query_ms, sweep_ms, plan


def run() -> list[dict[str, Any]]:
    print(f"idle sweep: nothing due, {SMALL} and {LARGE} applications (1 in 50 due later)")
    if Application.objects.exists():
        print(f"  ({Application.objects.count()} applications already there count too)")
    data = IdleData()
    try:
        results: dict[int, tuple[float, float, str]] = {}
        for size in (SMALL, LARGE):
            start = time.perf_counter()
            data.grow_to(size)
            built = time.perf_counter() - start
            results[size] = measure(size)
            query_ms, sweep_ms, plan = results[size]
            print(
                f"  {size:>7} applications (built in {built:.1f} s): due query "
                f"{query_ms:.3f} ms, whole idle sweep {sweep_ms:.3f} ms (median of {REPEATS}); "
                f"in PostgreSQL {execution_ms(plan):.3f} ms"
            )
        print(f"  EXPLAIN ANALYZE of the due query on {LARGE} applications:")
        large_plan = results[LARGE][2]
        print("    " + large_plan.replace("\n", "\n    "))
        if INDEX not in large_plan:
            raise RuntimeError(f"the due query does not use the partial index {INDEX}")
    finally:
        data.delete()
    (small_q, small_s, _), (large_q, large_s, _) = results[SMALL], results[LARGE]
    return [
        {
            "name": f"idle sweep due query, {LARGE // 1000}k vs {SMALL // 1000}k apps",
            "value": large_q,
            "unit": "ms",
            "baseline": small_q,
            "ratio": large_q / small_q,
            "target": "<= 2",
            "index": INDEX,
            # PostgreSQL's own execution time of the query (EXPLAIN ANALYZE), without the
            # round trip and the ORM: the part that would grow if the index were not used.
            "db_execution_ms": execution_ms(results[LARGE][2]),
            "db_execution_baseline_ms": execution_ms(results[SMALL][2]),
        },
        {
            "name": f"idle sweep() call, {LARGE // 1000}k vs {SMALL // 1000}k apps",
            "value": large_s,
            "unit": "ms",
            "baseline": small_s,
            "ratio": large_s / small_s,
            "target": "<= 2",
        },
    ]
