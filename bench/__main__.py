"""`make bench`: start private services, run each benchmark, print a table, write results.json.

Every figure is a ratio against a baseline measured in the same run on the same services,
because absolute times on shared machines are noise.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from ats import devstack

RESULTS = Path(__file__).resolve().parent / "results.json"


def main() -> int:
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

            from bench import purge, purge_memory
            from recruitment import storage

            call_command("migrate", "--no-input", verbosity=0)
            storage.ensure_bucket()
            results = purge.run()
            if os.environ.get("BENCH_SKIP_MEMORY") != "1":
                results += purge_memory.run()
    except KeyboardInterrupt:
        return 130
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{'benchmark':<44} {'value':>12} {'unit':<8} {'baseline':>12} {'ratio':>8}  target")
    for row in results:
        print(
            f"{row['name']:<44} {row['value']:>12.1f} {row['unit']:<8} "
            f"{row['baseline']:>12.1f} {row['ratio']:>8.2f}  {_target(row['target'])}"
        )
    print(f"\nwritten to {RESULTS}")
    return 0


def _target(target: float | str) -> str:
    return target if isinstance(target, str) else f">= {target:g}"


if __name__ == "__main__":
    sys.exit(main())
