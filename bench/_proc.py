"""CPU time of processes on this machine, from /proc: what the benches set beside wall-clock figures.

CPU seconds hardly depend on what else a shared machine is doing, unlike throughput, so every bench that
measures a server (gunicorn workers, PostgreSQL's backends) reads them the same way, from here.
"""

import os

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str]:
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of one process so far, e.g. this connection's PostgreSQL backend."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU ticks used so far), for every process still running."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = _stat(entry)
        except (OSError, IndexError):
            continue  # it ended while we looked
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def cpu_by_group(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each group of processes and their live descendants (children of processes
    that have exited are not counted: gunicorn's workers and PostgreSQL's backends live for the whole run)."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    used = {}
    for name, roots in groups.items():
        seen, frontier = set(roots), list(roots)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in seen:
                    seen.add(child)
                    frontier.append(child)
        used[name] = sum(table[pid][1] for pid in seen if pid in table) / TICK
    return used


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU seconds used so far by these processes and their live descendants (a server and its workers)."""
    return cpu_by_group({"tree": roots})["tree"]
