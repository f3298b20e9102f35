"""Purge throughput: the retention sweep against the raw limit and a naive loop.

The same data set (N unsuccessful applications of a concluded posting, each with a CV
object and 2 notes) is built three times and erased three ways:
- limit: batched DeleteObjects (1000 keys per call) plus bulk SQL deletes of the same rows,
  with no checks, no ledger and no locks: what storage and database can do at best;
- naive: one delete_object and one ORM delete per application (on NAIVE_N of them: a
  one-at-a-time loop's rate does not depend on how many there are, and at N it takes minutes);
- sweep: recruitment.retention.services.purge.sweep, with every check, lock and ledger record.
"""

import io
import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.data import bench_posting
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    Candidate,
    CurriculumVitae,
    InterviewNote,
)
from recruitment.retention.services import purge

N = int(os.environ.get("BENCH_PURGE_N", "10000"))
NAIVE_N = min(N, int(os.environ.get("BENCH_PURGE_NAIVE_N", "2000")))
PDF = b"%PDF-1.4\n% bench CV\n" + b"0" * 20_000


def build_many(tag: str, count: int) -> list[Application]:
    """`count` unsuccessful applications of a concluded posting, each with a CV and 2 notes."""
    now = timezone.now()
    posting = bench_posting(f"Bench {tag}", status="closed", published_at=now, concluded_at=now)
    candidates = Candidate.objects.bulk_create(
        Candidate(email=f"bench-{tag}-{i}@example.com", full_name=f"Bench Person {i}")
        for i in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(
            candidate=c,
            posting=posting,
            stage="unsuccessful",
            language="en",
            attested_min_age=15,
            decided_at=now,
            purge_due_at=now,
        )
        for c in candidates
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(
            pool.map(
                lambda _: storage.put_cv(io.BytesIO(PDF), content_type="application/pdf"),
                applications,
            )
        )
    CurriculumVitae.objects.bulk_create(
        CurriculumVitae(
            application=a,
            storage_key=k,
            original_filename="cv.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
        )
        for a, k in zip(applications, keys, strict=True)
    )
    InterviewNote.objects.bulk_create(
        InterviewNote(application=a, body=f"note {n}", kind="general")
        for a in applications
        for n in range(2)
    )
    return applications


def erase_limit(applications: list[Application]) -> None:
    ids = [a.pk for a in applications]
    keys = list(
        CurriculumVitae.objects.filter(application_id__in=ids).values_list("storage_key", flat=True)
    )
    storage.delete_keys(keys)
    candidate_ids = [a.candidate_id for a in applications]
    InterviewNote.objects.filter(application_id__in=ids)._raw_delete(connection.alias)
    CurriculumVitae.objects.filter(application_id__in=ids)._raw_delete(connection.alias)
    Application.objects.filter(pk__in=ids)._raw_delete(connection.alias)
    Candidate.objects.filter(pk__in=candidate_ids)._raw_delete(connection.alias)


def erase_naive(applications: list[Application]) -> None:
    for application in applications:
        for cv in CurriculumVitae.objects.filter(application=application):
            storage._client().delete_object(Bucket=storage._bucket(), Key=cv.storage_key)
        candidate = application.candidate
        application.delete()
        candidate.delete()


def erase_sweep(applications: list[Application]) -> None:
    report = purge.sweep(now=timezone.now() + timedelta(minutes=1))
    if report.erased != len(applications):
        raise RuntimeError(f"the sweep erased {report.erased} of {len(applications)}")


def timed(tag: str, erase: Any, count: int) -> float:
    applications = build_many(tag, count)
    profile = os.environ.get("BENCH_PROFILE") == tag
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    erase(applications)
    elapsed = time.perf_counter() - start
    if profile:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    if Application.objects.filter(posting__title=f"Bench {tag}").exists():
        raise RuntimeError(f"{tag}: applications left after the erasure")
    return count / elapsed


def run() -> list[dict[str, Any]]:
    print(f"purge: {N} applications, each with a CV object and 2 notes")
    limit = timed("limit", erase_limit, N)
    print(f"  limit (batched DeleteObjects + bulk SQL): {limit:.0f} applications/s")
    naive = timed("naive", erase_naive, NAIVE_N)
    print(f"  naive (one object, one row at a time):    {naive:.0f} applications/s ({NAIVE_N})")
    sweep = timed("sweep", erase_sweep, N)
    print(f"  retention sweep:                          {sweep:.0f} applications/s")
    return [
        {
            "name": "purge throughput vs storage+database limit",
            "value": sweep,
            "unit": "apps/s",
            "baseline": limit,
            "ratio": sweep / limit,
            "target": 0.5,
        },
        {
            "name": "purge throughput vs naive loop",
            "value": sweep,
            "unit": "apps/s",
            "baseline": naive,
            "ratio": sweep / naive,
            "target": 10.0,
        },
    ]
