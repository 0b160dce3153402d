"""gunicorn settings for Safeguard (the command line in deploy/topology.py sets bind, workers and threads)."""

import os


def child_exit(server, worker):
    # With several worker processes, prometheus-client keeps per-process files; drop a dead worker's gauges.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
