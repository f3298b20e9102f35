"""CPU time spent by each kind of process on this machine, read from /proc (Linux).

Requests per second on a shared 2-core machine swing by a third between runs; the CPU a
request costs, with every process that serves it counted (the benchmark's own client,
gunicorn, PostgreSQL, Redis, SeaweedFS), moves much less, and shows where the cost goes.
"""

import os
from pathlib import Path

# The first of these words found in a process's command line names its group.
GROUPS = {"gunicorn": "gunicorn", "postgres": "postgres", "redis": "redis", "weed": "seaweedfs"}
_TICKS = os.sysconf("SC_CLK_TCK")

Snapshot = dict[int, tuple[str, float]]


def snapshot() -> Snapshot:
    """{pid: (group, CPU seconds so far)} for every process that can be read. No side effects."""
    found: Snapshot = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        # Fields after the command name (which may hold spaces); utime, stime are 14 and 15.
        fields = stat[stat.rfind(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        found[int(entry.name)] = (_group(int(entry.name), command), seconds)
    return found


def spent(before: Snapshot, after: Snapshot, into: dict[str, float]) -> None:
    """Adds the CPU seconds each group spent between two snapshots to `into` (processes
    started in between count from zero)."""
    for pid, (group, seconds) in after.items():
        earlier = before.get(pid)
        used = seconds - (earlier[1] if earlier and earlier[0] == group else 0.0)
        into[group] = into.get(group, 0.0) + used


def _group(pid: int, command: str) -> str:
    if pid == os.getpid():
        return "client"
    for word, group in GROUPS.items():
        if word in command:
            return group
    return "other"
