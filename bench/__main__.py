"""`make bench`: start private services, run each benchmark, print a table, write results.json.

Every figure is a ratio against a baseline measured in the same run on the same services,
because absolute times on shared machines are noise. BENCH_ONLY (comma-separated names from
BENCHMARKS, e.g. `BENCH_ONLY=pages,apply`) runs a subset; the default is all of them.
"""

import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools import devstack

RESULTS = Path(__file__).resolve().parent / "results.json"
# Run in this order; each module under bench/ has `run() -> list[dict]` (one row per figure).
# "pages" holds what was the "board" benchmark (the board at 50 and 5,000 applications).
BENCHMARKS = ("purge", "purge_memory", "sweep_idle", "pages", "apply", "export", "pool")


def selected() -> list[str]:
    only = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown {sorted(unknown)}; choose from {BENCHMARKS}")
    names = [name for name in BENCHMARKS if not only or name in only]
    if os.environ.get("BENCH_SKIP_MEMORY") == "1":
        names = [name for name in names if name != "purge_memory"]
    return names


def main() -> int:
    names = selected()
    devstack.stop_on_signals()
    base = Path(tempfile.mkdtemp(prefix="ats-bench-"))
    base.chmod(0o755)
    try:
        with devstack.test_services(base) as env:
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "ats.settings"
            import django

            django.setup()
            from django.core.management import call_command

            from recruitment.cvs import storage

            call_command("migrate", "--no-input", verbosity=0)
            storage.ensure_bucket()
            if {"pages", "apply", "pool"} & set(names):  # pages need the static files manifest
                call_command("collectstatic", "--no-input", verbosity=0)
            results: list[dict[str, Any]] = []
            for name in names:
                module = importlib.import_module(f"bench.{name}")
                for row in module.run():
                    results.append({"benchmark": name, **row})
    except KeyboardInterrupt:
        return 130
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    if len(names) < len(BENCHMARKS) and RESULTS.exists():
        # A subset replaces its own rows and keeps the others' from the last run.
        # Rows of benchmarks that no longer exist (renamed, folded into another) go too.
        kept = [
            row
            for row in json.loads(RESULTS.read_text())
            if row.get("benchmark") in BENCHMARKS and row.get("benchmark") not in names
        ]
        results = kept + results
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'benchmark':<52} {'value':>10} {'unit':<8} {'baseline':>10} {'ratio':>7}  target")
    for row in results:
        print(
            f"{row['name']:<52} {_number(row['value']):>10} {row['unit']:<8} "
            f"{_number(row['baseline']):>10} {row['ratio']:>7.2f}  {_target(row['target'])}"
        )
    print(f"\nwritten to {RESULTS}")
    return 0


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def _target(target: float | str) -> str:
    # A number is a floor on the ratio; a string states the target itself ("<= 2").
    return target if isinstance(target, str) else f">= {target:g}"


if __name__ == "__main__":
    sys.exit(main())
