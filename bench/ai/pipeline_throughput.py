"""Throughput and latency of the inbound AI pipeline on this machine.

Starts the stand-in OpenAI-compatible server (answers after --delay seconds) and one Celery worker process on the
`ai` queue (threads pool, --concurrency threads), creates --messages inbound e-mails through tickets.services
(so MessageReceived → pipeline → Redis → worker, as in production) at --rate messages per second (0 = as fast as
possible), waits until every pipeline finished (bounded by --timeout) and prints messages/s and p50/p99 from
arrival (message created) to draft (aI_ResponseDateTime), plus the peak number of database connections.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dev_ai_bench REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/ai/pipeline_throughput.py --messages 400 --rate 0 --concurrency 64
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"Nothing listens on 127.0.0.1:{port}.")


def _database_ensure(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            admin.execute(f'create database "{name}"')


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="AI pipeline throughput benchmark")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rate", type=float, default=0, help="arrivals per second; 0 = as fast as possible")
    parser.add_argument("--concurrency", type=int, default=64, help="threads of each ai worker process")
    parser.add_argument("--workers", type=int, default=1, help="ai worker processes (scale-out check)")
    parser.add_argument("--delay", type=float, default=0.5, help="stand-in model latency in seconds")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument(
        "--pool", action="store_true", help="worker uses a psycopg connection pool (bench/ai/ai_worker_settings.py)"
    )
    arguments = parser.parse_args()

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "answerpal.settings.local")
    _database_ensure(database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    port = _free_port()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("standin_openai.py")),
                "--port",
                str(port),
                "--delay",
                str(arguments.delay),
            ]
        )
    ]
    try:
        _wait_for_port(port)
        from answerpal.celery import app

        app.control.purge()
        worker_env = {**os.environ, "LOG_LEVEL": "WARNING", "DJANGO_DEBUG": "0"}
        if arguments.pool:
            worker_env["DJANGO_SETTINGS_MODULE"] = "ai_worker_settings"
            worker_env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), str(ROOT)])
        for number in range(arguments.workers):
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "answerpal",
                        "worker",
                        "-Q",
                        "ai",
                        "-P",
                        "threads",
                        "-c",
                        str(arguments.concurrency),
                        "-n",
                        f"bench-ai-{number}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "-l",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env=worker_env,
                )
            )
        report = _run(arguments, f"http://127.0.0.1:{port}/v1", [child.pid for child in children[1:]])
    finally:
        for child in reversed(children):
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    for line in report:
        print(line)


def _tenant(base_url: str):
    from automation.models import Topic
    from billing.models import CustomerSubscription
    from billing.services import plans_ensure_default
    from channels_cfg.models import Channel
    from customers.models import AIModel, AIProvider, Customer, ModelPurpose
    from documents.models import Document

    suffix = uuid.uuid4().hex[:8]
    customer = Customer.objects.create(name=f"Bench {suffix}", hostname=f"bench-{suffix}.answerpal.test")
    CustomerSubscription.objects.create(customer=customer, plan=plans_ensure_default()[-1])
    models = {
        purpose: AIModel.objects.create(
            customer=customer,
            model_name=f"standin-{purpose}",
            model_type=purpose,
            provider=AIProvider.OPENAI,
            input_price_per_million=1,
            output_price_per_million=4,
        )
        for purpose in (ModelPurpose.SPAM, ModelPurpose.TOPICS, ModelPurpose.EMAIL)
    }
    customer.openai_api_key = "sk-bench"
    customer.openai_base_url = base_url
    customer.default_spam_model = models[ModelPurpose.SPAM]
    customer.default_topic_model = models[ModelPurpose.TOPICS]
    customer.default_email_model = models[ModelPurpose.EMAIL]
    customer.save()
    for name in ("Invoices", "Delivery", "Returns", "Account", "Opening hours"):
        Topic.objects.create(customer=customer, name=name, description=f"Questions about {name.lower()}")
    Document.objects.create(customer=customer, name="Opening hours", content="We are open 9-18 on weekdays.")
    channel = Channel.objects.create(customer=customer, channel_type="Email", name="Support")
    return customer, channel


def _messages(customer, channel, count: int) -> list[int]:
    """Inbound e-mails stored in bulk (set-up, not measured); their arrival is the MessageReceived delivery."""
    from tickets.models import Ticket, TicketMessage

    tickets = Ticket.objects.bulk_create(
        Ticket(
            customer=customer, channel=channel, channel_type="Email", subject=f"Question {index}", uid=f"c{index}@x.be"
        )
        for index in range(count)
    )
    messages = TicketMessage.objects.bulk_create(
        TicketMessage(
            customer=customer,
            ticket=ticket,
            channel=channel,
            subject=ticket.subject,
            from_address=ticket.uid,
            uid=ticket.uid,
            text_body="Hello, what are your opening hours on Friday? I would like to visit the shop.",
        )
        for ticket in tickets
    )
    return [message.pk for message in messages]


def _run(arguments, base_url: str, worker_pids: list[int]) -> list[str]:
    from django.db import connection

    from ai import services
    from ai.models import MessagePipeline
    from tickets.models import TicketMessage

    customer, channel = _tenant(base_url)
    message_ids = _messages(customer, channel, arguments.messages)
    time.sleep(2)  # let the worker connect to the broker
    peak_connections = 0
    database = connection.settings_dict["NAME"]

    def connections_now() -> int:
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from pg_stat_activity where datname = %s", [database])
            return cursor.fetchone()[0]

    cpu_before = sum(_cpu_seconds(pid) for pid in worker_pids)
    started = time.monotonic()
    for index, message_id in enumerate(message_ids):
        if arguments.rate:
            pause = started + index / arguments.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        services.pipeline_enqueue(message_id=message_id, customer_id=customer.pk)  # what MessageReceived does
    delivered_in = time.monotonic() - started

    deadline = started + arguments.timeout
    pipelines = MessagePipeline.objects.filter(customer=customer)
    while time.monotonic() < deadline:
        peak_connections = max(peak_connections, connections_now())
        if not pipelines.filter(state__in=("Queued", "Running")).exists():
            break
        time.sleep(0.25)
    arrivals = dict(pipelines.values_list("message_id", "created_at"))
    drafted = dict(
        TicketMessage.objects.filter(pk__in=message_ids)
        .exclude(ai_response_datetime=None)
        .values_list("pk", "ai_response_datetime")
    )
    latencies = [(drafted[pk] - arrivals[pk]).total_seconds() for pk in drafted]
    first, last = min(arrivals.values()), max(drafted.values()) if drafted else None
    elapsed = (last - first).total_seconds() if last else float("nan")
    states = sorted(set(pipelines.values_list("state", flat=True)))
    cpu = sum(_cpu_seconds(pid) for pid in worker_pids) - cpu_before
    pooled = " + connection pool (max 12)" if arguments.pool else ""
    return [
        f"messages: {arguments.messages}, drafted: {len(latencies)}, pipeline states: {states}",
        f"conditions: stand-in delay {arguments.delay * 1000:.0f} ms, {arguments.workers} worker process(es), threads "
        f"x{arguments.concurrency}{pooled}, arrivals {arguments.rate or 'burst'} msg/s "
        f"(delivered in {delivered_in:.1f} s), "
        f"{os.cpu_count()} CPUs shared, load average {os.getloadavg()[0]:.1f}",
        f"throughput: {len(latencies) / elapsed:.1f} messages/s (first arrival to last draft: {elapsed:.1f} s)",
        f"arrival to draft: p50 {_percentile(latencies, 0.5):.2f} s, p99 {_percentile(latencies, 0.99):.2f} s, "
        f"mean {statistics.fmean(latencies):.2f} s",
        f"worker CPU: {cpu * 1000 / max(len(latencies), 1):.0f} ms per message ({cpu:.1f} s in all)",
        f"peak database connections (whole database, all clients): {peak_connections}",
    ]


if __name__ == "__main__":
    main()
