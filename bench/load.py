"""Load run of the ticket API against gunicorn on loopback, next to the values() ceiling view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets .venv/bin/python bench/load.py \\
        [--requests 1500] [--seconds 20] [--concurrency 4] [--workers 2]

Starts gunicorn (bench.settings, 127.0.0.1 only), issues a token for the seeded big customer's
administrator (run bench/seed.py first), and for each scenario sends at most --requests requests or
for at most --seconds seconds from --concurrency keep-alive clients; prints requests/s, p50 and p99.
Writes are bounded separately (--writes)."""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import CustomerRep  # noqa: E402
from answerpal.api.tokens import TokenKind, token_issue  # noqa: E402
from channels_cfg.models import Channel  # noqa: E402
from tickets.models import Ticket  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "answerpal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def _run(base: str, token: str, make_request, *, requests: int, seconds: float, concurrency: int) -> dict:
    """Sends requests from `concurrency` threads until the count or time budget is spent; returns the
    latencies, the error count and the wall time."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    budget = {"left": requests}
    stop_at = time.monotonic() + seconds

    def worker(seed: int):
        rng = random.Random(seed)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    if budget["left"] <= 0:
                        return
                    budget["left"] -= 1
                method, path, body = make_request(rng)
                began = time.perf_counter()
                response = client.request(method, path, json=body)
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    if response.status_code >= 400:
                        errors.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(random.randrange(10**9),)) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": len(errors), "wall": time.monotonic() - began}


def _summary(parts: list[dict]) -> dict:
    latencies = sorted(value for part in parts for value in part["latencies"])
    wall = sum(part["wall"] for part in parts)
    return {
        "requests": len(latencies),
        "errors": sum(part["errors"] for part in parts),
        "rps": len(latencies) / wall if wall else 0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="at most this many requests per read scenario")
    parser.add_argument("--writes", type=int, default=300, help="at most this many create-new requests")
    parser.add_argument("--seconds", type=float, default=20, help="at most this long per scenario")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="scenarios run interleaved in this many rounds (evens out background load)",
    )
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).startswith("bench"):
        sys.exit(f"Refusing to run against '{name}' ({connection.vendor}): use the seeded bench* PostgreSQL database.")
    admin = CustomerRep.objects.filter(username="bench-admin-1").first()
    if admin is None:
        sys.exit("Seed first: bench/seed.py")
    customer_id = admin.customer_id
    token = token_issue(
        kind=TokenKind.REP, customer_id=customer_id, rep_id=admin.pk, role=admin.role, token_version=admin.token_version
    )
    channel = Channel.objects.filter(customer_id=customer_id).first()
    ticket_ids = list(Ticket.objects.filter(customer_id=customer_id).order_by("?").values_list("id", flat=True)[:2000])
    total = Ticket.objects.filter(customer_id=customer_id).count()

    def new_message(rng):
        body = {
            "channel": "Email",
            "channelID": channel.pk,
            "incoming": True,
            "uid": f"load{rng.randrange(10**9)}@bench.example",
            "subject": "Load test question",
            "textBody": "Hello, I have a question about my order.",
        }
        return "POST", "/api/TicketMessages/create-new", body

    scenarios = [
        ("ceiling: values() 25 rows", lambda rng: ("GET", "/api/bench/ceiling", None), args.requests),
        ("list first page (25)", lambda rng: ("GET", "/api/Tickets?pageSize=25", None), args.requests),
        ("list status=Open (25)", lambda rng: ("GET", "/api/Tickets?pageSize=25&status=Open", None), args.requests),
        (
            "search subject '#NNNN' (selective)",
            lambda rng: ("GET", f"/api/Tickets?pageSize=25&search=%23{rng.randrange(1000, 9999)}", None),
            args.requests,
        ),
        (
            "search subject 'refund' (~9% of rows)",
            lambda rng: ("GET", "/api/Tickets?pageSize=25&search=refund", None),
            args.requests,
        ),
        ("one ticket", lambda rng: ("GET", f"/api/Tickets/{rng.choice(ticket_ids)}", None), args.requests),
        ("create-new (message + ticket)", new_message, args.writes),
    ]
    port = _free_port()
    server = _start_gunicorn(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    parts: dict[str, list[dict]] = {label: [] for label, _, _ in scenarios}
    try:
        for _label, make_request, _ in scenarios:  # warm every worker's connections and caches
            _run(base, token, make_request, requests=4 * args.concurrency, seconds=10, concurrency=args.concurrency)
        for round_number in range(args.rounds):
            for label, make_request, budget in scenarios:
                parts[label].append(
                    _run(
                        base,
                        token,
                        make_request,
                        requests=budget // args.rounds,
                        seconds=args.seconds / args.rounds,
                        concurrency=args.concurrency,
                    )
                )
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    results = [(label, _summary(parts[label])) for label, _, _ in scenarios]
    for label, outcome in results:
        print(
            f"{label:40s} {outcome['rps']:8.1f} req/s  p50 {outcome['p50_ms']:7.1f} ms  "
            f"p99 {outcome['p99_ms']:7.1f} ms  ({outcome['requests']} requests, {outcome['errors']} errors)"
        )
    ceiling = results[0][1]["rps"] or 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    print(
        f"\ncustomer {customer_id}: {total:,} tickets; {os.cpu_count()} CPUs; concurrency {args.concurrency}; "
        f"PostgreSQL shared_buffers {shared_buffers}"
    )
    print("| scenario | req/s | p50 ms | p99 ms | % of ceiling |\n|---|---:|---:|---:|---:|")
    for label, outcome in results:
        share = 100 * outcome["rps"] / ceiling
        print(f"| {label} | {outcome['rps']:.1f} | {outcome['p50_ms']:.1f} | {outcome['p99_ms']:.1f} | {share:.0f} % |")


if __name__ == "__main__":
    main()
