"""Most Wanted alert fan-out through a local SMTP server (aiosmtpd), on the embedded default (SQLite, WAL).

One new posting is sent to every subscriber the way production does it: one INSERT ... SELECT makes a
delivery row per subscriber, the rows are split into batches of 500, and worker processes each claim a
batch and send it over one SMTP connection (what the `send_alert_batch` task does). Meanwhile a thread
keeps requesting the public list and person pages and times them.

Usage: python bench/bench_wanted.py [--subscribers 50000] [--workers 4] [--batch 500] [--smtp-processes 2]
  (the issue's target is 1,000,000 subscribers within 15 minutes, i.e. >= 1,100 emails/s sustained)

The SMTP sink is aiosmtpd. It is pure Python and costs about 1 ms of CPU per message, so a single aiosmtpd
process cannot accept more than ~1,000 messages/s on any machine: it, not Safeguard, would be what is
measured. Like a real MTA, the sink therefore runs as several processes, each on its own port; the sending
workers are spread over them evenly. Each process counts what it received; the parent merges the address
sets, so an address mailed twice is caught even when the two copies reached different processes.

Prints:
  wanted subscribers: N
  wanted fan-out setup s: N          (delivery rows created and batches listed)
  wanted alert emails/s: N           (sustained, first batch start to last batch end)
  wanted alert total s: N            (setup plus sending)
  wanted addresses mailed twice: 0   (counted by the SMTP server; the bench fails if not 0)
  wanted sender cpu ms per email: N  (Safeguard's own CPU cost per email: the sending worker processes)
  wanted smtp sink cpu ms per email: N (the aiosmtpd processes' CPU per email: the test harness's cost)
  wanted public page p50 ms idle: N / p95 ms idle: N
  wanted public page p50 ms during fan-out: N / p95 ms during fan-out: N / requests during fan-out: N
"""

import argparse
import faulthandler
import multiprocessing as mp
import os
import resource
import socket
import statistics
import threading
import time
from datetime import date

from _django import emit, setup

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--subscribers", type=int, default=50_000)
parser.add_argument("--workers", type=int, default=4)
parser.add_argument("--batch", type=int, default=500)
parser.add_argument("--smtp-processes", type=int, default=2)
args = parser.parse_args()

os.environ["EMAIL_URL"] = "smtp://127.0.0.1:25"  # the real SMTP backend; workers point it at the sink's port
os.environ.setdefault("LOG_LEVEL", "WARNING")  # aiosmtpd logs every SMTP command at INFO
faulthandler.dump_traceback_later(int(os.environ.get("BENCH_HANG_S", "1500")), exit=True)
setup()

from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from safeguard.accounts.models import User  # noqa: E402
from safeguard.wanted import alerts, services  # noqa: E402
from safeguard.wanted.models import AlertDelivery, DeliveryStatus, Subscription  # noqa: E402

# --- the SMTP server, in its own process ----------------------------------------------------------


def smtp_server(port: int, ready, control) -> None:
    from aiosmtpd.controller import Controller

    class Counting:
        def __init__(self):
            self.messages = 0
            self.seen: set[str] = set()
            self.twice = 0

        async def handle_DATA(self, server, session, envelope):
            self.messages += 1
            for rcpt in envelope.rcpt_tos:
                if rcpt in self.seen:
                    self.twice += 1
                else:
                    self.seen.add(rcpt)
            return "250 OK"

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    control.recv()  # wait until asked for the totals
    times = os.times()
    control.send((handler.messages, handler.seen, handler.twice, times.user + times.system))
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- data -----------------------------------------------------------------------------------------


def add_subscribers(n: int) -> None:
    now = timezone.now().isoformat()
    table = Subscription._meta.db_table
    areas = ["", "", "", "Kent"]  # most want every posting; some chose the posting's area
    with connection.cursor() as cursor:
        for start in range(0, n, 50_000):
            rows = [
                (f"reader{i}@example.org", areas[i % len(areas)], now) for i in range(start, min(n, start + 50_000))
            ]
            cursor.executemany(f"INSERT INTO {table} (email, area, confirmed_at) VALUES (%s, %s, %s)", rows)  # noqa: S608


def publish_one():
    author = User.objects.create_user(username="bench-author", password="x" * 20, role="investigator")
    approver = User.objects.create_user(username="bench-approver", password="x" * 20, role="supervisor")
    person = services.create_wanted_person(
        user=author,
        fields={
            "full_name": "Barnaby Thistlewick",
            "aliases": "Barney T",
            "physical_description": "Medium height, short brown hair.",
            "last_known_area": "Much Puddling",
            "area": "Kent",
            "offences": "Failed to comply with notification requirements; convicted of offences against children.",
            "leading_force": "Kent",
            "date_missing": date(2026, 2, 1),
        },
    )
    services.submit_for_approval(user=author, person=person)
    return services.approve_and_publish(user=approver, person=person)  # the fan-out task is not run here


# --- workers --------------------------------------------------------------------------------------


def _worker_init(ports: list[int], counter) -> None:
    connections.close_all()  # never share the parent's SQLite connection across fork
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", ports[index % len(ports)]


def _send(batch: tuple[int, int, int]) -> int:
    person_id, first_id, last_id = batch
    return alerts.send_batch(person_id, first_id, last_id)["sent"]


# --- page latency ---------------------------------------------------------------------------------


def time_pages(urls: list[str], stop: threading.Event, samples: list[float], *, max_requests: int = 0) -> None:
    client = Client()
    i = 0
    while not stop.is_set() and (not max_requests or i < max_requests):
        start = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        i += 1
        time.sleep(0.02)  # a steady trickle of visitors, not a load test
    connections.close_all()


def p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) >= 2 else (samples or [0])[0]


def main() -> None:
    add_subscribers(args.subscribers)
    person = publish_one()
    urls = ["/most-wanted/", f"/most-wanted/{person.public_id}/"]

    idle: list[float] = []
    time_pages(urls, threading.Event(), idle, max_requests=100)

    ctx = mp.get_context("fork")
    servers, ports = [], []
    for _ in range(args.smtp_processes):
        ports.append(port := free_port())
        ready, (parent_end, child_end) = ctx.Event(), ctx.Pipe()
        server = ctx.Process(target=smtp_server, args=(port, ready, child_end), daemon=True)
        server.start()
        ready.wait(10)
        servers.append((server, parent_end))

    started = time.perf_counter()
    created = alerts.create_deliveries(person)
    batches = alerts.pending_batches(person.pk, batch_size=args.batch)
    setup_s = time.perf_counter() - started
    connections.close_all()

    busy: list[float] = []
    stop = threading.Event()
    # Fork the workers before the page-timing thread starts: forking a process with a running thread can
    # leave a lock held in the child for ever.
    with ctx.Pool(args.workers, initializer=_worker_init, initargs=(ports, ctx.Value("i", 0))) as pool:
        watcher = threading.Thread(target=time_pages, args=(urls, stop, busy))
        watcher.start()
        sending_started = time.perf_counter()
        sent = sum(pool.imap_unordered(_send, [(person.pk, first, last) for first, last in batches]))
        sending_s = time.perf_counter() - sending_started
    stop.set()
    watcher.join()

    messages = twice = 0
    sink_cpu = 0.0
    seen: set[str] = set()
    for server, parent_end in servers:
        parent_end.send("totals")
        n, addresses, twice_here, cpu = parent_end.recv()
        messages, twice, sink_cpu = messages + n, twice + twice_here + len(seen & addresses), sink_cpu + cpu
        seen |= addresses
        server.join(10)
    unique = len(seen)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sender_cpu = children.ru_utime + children.ru_stime - sink_cpu  # pool workers (joined) + sinks (still running)

    emit("wanted subscribers", args.subscribers)
    emit("wanted alert emails delivered", messages)
    emit("wanted fan-out setup s", setup_s, "s")
    emit("wanted alert emails/s", sent / sending_s, "emails/s")
    emit("wanted alert total s", setup_s + sending_s, "s")
    emit("wanted addresses mailed twice", twice)
    emit("wanted sender cpu ms per email", sender_cpu * 1000 / max(sent, 1), "ms")
    emit("wanted smtp sink cpu ms per email", sink_cpu * 1000 / max(sent, 1), "ms")
    emit("wanted public page p50 ms idle", p(idle, 50), "ms")
    emit("wanted public page p95 ms idle", p(idle, 95), "ms")
    emit("wanted public page p50 ms during fan-out", p(busy, 50), "ms")
    emit("wanted public page p95 ms during fan-out", p(busy, 95), "ms")
    emit("wanted public page requests during fan-out", len(busy))
    db_sent = AlertDelivery.objects.filter(person=person, status=DeliveryStatus.SENT).count()
    assert created == sent == db_sent == messages == unique, (created, sent, db_sent, messages, unique)
    assert twice == 0, f"{twice} addresses were mailed twice"


if __name__ == "__main__":
    main()
