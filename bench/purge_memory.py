"""Worker memory during a purge: peak RSS of a sweep over 20,000 applications against the
same sweep over 2,000, each in a fresh process. The sweep streams in batches, so the peak
must not grow with the number of applications (target: within 50 MB).
"""

import os
import resource
import subprocess
import sys
from typing import Any

from django.db import connection

from bench.purge import build_many

SMALL = int(os.environ.get("BENCH_MEMORY_SMALL", "2000"))
LARGE = int(os.environ.get("BENCH_MEMORY_LARGE", "20000"))

_SWEEP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "ats.settings"
django.setup()
from datetime import timedelta
from django.utils import timezone
from recruitment.services import purge
report = purge.sweep(now=timezone.now() + timedelta(minutes=1))
# VmHWM is this process's own high-water mark; ru_maxrss would carry the parent's over fork.
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
print(report.erased, hwm)
"""


def sweep_in_a_fresh_process() -> tuple[int, float]:
    """(erased, peak RSS in MB) of one sweep, run the way a worker runs it: in its own process."""
    connection.close()  # let the child see committed rows without our connection in the way
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", _SWEEP], capture_output=True, text=True, check=True, env=os.environ
    )
    erased, high_water_kb = result.stdout.split()[-2:]
    return int(erased), int(high_water_kb) / 1024


def run() -> list[dict[str, Any]]:
    print(f"purge memory: sweep of {SMALL} and of {LARGE} applications, each in a fresh process")
    peaks = {}
    for size in (SMALL, LARGE):
        build_many(f"mem{size}", size)
        erased, peak = sweep_in_a_fresh_process()
        if erased != size:
            raise RuntimeError(f"the sweep erased {erased} of {size}")
        peaks[size] = peak
        print(f"  {size:>6} applications: peak RSS {peak:.0f} MB")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (the benchmark process itself peaked at {own:.0f} MB while building data)")
    growth = peaks[LARGE] - peaks[SMALL]
    return [
        {
            "name": f"purge worker peak RSS, {LARGE} vs {SMALL} apps",
            "value": peaks[LARGE],
            "unit": "MB",
            "baseline": peaks[SMALL],
            "ratio": peaks[LARGE] / peaks[SMALL],
            "target": "growth <= 50 MB",
            "growth_mb": growth,
        },
    ]
