"""Export memory: peak RSS of building one candidate's data export (10 applications, each
with a 2 MB CV object in the bucket) against the same with 200 KB CVs, each build in a fresh
process as a worker runs it. CVs are copied from storage into the ZIP in chunks and the ZIP
goes to a temporary file, so the peak must not grow with CV size (target: within 20 MB).
The build times are reported alongside (they grow with the bytes copied, as they should).
"""

import io
import os
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from bench.data import bench_posting
from recruitment.cvs import storage
from recruitment.models import Application, Candidate, CurriculumVitae, DataExport

APPLICATIONS = 10
SMALL_CV = int(os.environ.get("BENCH_EXPORT_SMALL_KB", "200")) * 1024
LARGE_CV = int(os.environ.get("BENCH_EXPORT_LARGE_KB", "2048")) * 1024

_BUILD = """
import os, sys, time, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ats.settings"
django.setup()
from recruitment.models import DataExport
from recruitment.rights.services.exports import build_export
start = time.perf_counter()
build_export(export_id=sys.argv[1])
elapsed = time.perf_counter() - start
status = DataExport.objects.get(pk=sys.argv[1]).status
# VmHWM is this process's own high-water mark; ru_maxrss would carry the parent's over fork.
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
print(status, elapsed, hwm)
"""


def candidate_with_cvs(cv_bytes: int) -> DataExport:
    """A candidate with APPLICATIONS applications, each with a CV object of `cv_bytes`
    (incompressible, like a real PDF's streams), and a PENDING export of them."""
    now = timezone.now()
    tag = time.monotonic_ns()
    candidate = Candidate.objects.create(
        email=f"export-{tag}@example.com", full_name="Export Person"
    )
    for n in range(APPLICATIONS):
        posting = bench_posting(f"Bench export {n}", published_at=now)
        application = Application.objects.create(
            candidate=candidate, posting=posting, language="en", attested_min_age=15
        )
        data = b"%PDF-1.4\n%" + os.urandom(cv_bytes - 10)
        key = storage.put_cv(io.BytesIO(data), content_type="application/pdf")
        CurriculumVitae.objects.create(
            application=application,
            storage_key=key,
            original_filename=f"cv-{n}.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256="0" * 64,
        )
    return DataExport.objects.create(
        candidate=candidate,
        status=DataExport.Status.PENDING,
        created_at=now,
        expires_at=now + timedelta(hours=24),
    )


def build_in_a_fresh_process(export: DataExport) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, export size in bytes) of one build in its own process."""
    connection.close()  # let the child see committed rows without our connection in the way
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _BUILD, str(export.pk)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    status, elapsed, high_water_kb = result.stdout.split()[-3:]
    export.refresh_from_db()
    if status != DataExport.Status.READY or not export.size:
        raise RuntimeError(f"the export was not built ({status}):\n{result.stderr[-3000:]}")
    return float(elapsed), int(high_water_kb) / 1024, export.size


def run() -> list[dict[str, Any]]:
    print(
        f"export: one candidate, {APPLICATIONS} applications with a CV each, "
        f"{SMALL_CV // 1024} KB and {LARGE_CV // 1024} KB CVs, each build in a fresh process"
    )
    figures = {}
    for cv_bytes in (SMALL_CV, LARGE_CV):
        export = candidate_with_cvs(cv_bytes)
        figures[cv_bytes] = elapsed, peak, size = build_in_a_fresh_process(export)
        print(
            f"  {APPLICATIONS} x {cv_bytes // 1024:>5} KB CVs: {elapsed:.2f} s, peak RSS "
            f"{peak:.0f} MB, ZIP {size / 1024 / 1024:.1f} MB"
        )
    (small_s, small_mb, _), (large_s, large_mb, large_size) = figures[SMALL_CV], figures[LARGE_CV]
    return [
        {
            "name": f"export peak RSS, {APPLICATIONS} x {LARGE_CV // 1024} KB vs "
            f"{SMALL_CV // 1024} KB CVs",
            "value": large_mb,
            "unit": "MB",
            "baseline": small_mb,
            "ratio": large_mb / small_mb,
            "target": "growth <= 20 MB",
            "growth_mb": large_mb - small_mb,
            "seconds": large_s,
            "baseline_seconds": small_s,
            "zip_bytes": large_size,
        },
    ]
