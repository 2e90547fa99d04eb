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


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="AI pipeline throughput benchmark")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rate", type=float, default=0, help="arrivals per second; 0 = as fast as possible")
    parser.add_argument("--concurrency", type=int, default=64, help="threads of the ai worker")
    parser.add_argument("--delay", type=float, default=0.5, help="stand-in model latency in seconds")
    parser.add_argument("--timeout", type=float, default=180)
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
        worker_env = {**os.environ, "LOG_LEVEL": "WARNING"}
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
        report = _run(arguments, f"http://127.0.0.1:{port}/v1")
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


def _run(arguments, base_url: str) -> list[str]:
    from django.db import connection, transaction
    from django.db.models import Max, Min

    from ai.models import MessagePipeline
    from tickets import services as ticket_services
    from tickets.models import TicketMessage

    customer, channel = _tenant(base_url)
    time.sleep(2)  # let the worker connect to the broker
    started = time.monotonic()
    peak_connections = 0
    database = connection.settings_dict["NAME"]

    def connections_now() -> int:
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from pg_stat_activity where datname = %s", [database])
            return cursor.fetchone()[0]

    for index in range(arguments.messages):
        if arguments.rate:
            pause = started + index / arguments.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        with transaction.atomic():
            ticket_services.message_create(
                customer_id=customer.pk,
                channel_id=channel.pk,
                channel_type="Email",
                incoming=True,
                uid=f"client{index}@example.com",
                fields={"subject": f"Question {index}", "text_body": "Hello, what are your opening hours on Friday?"},
            )
        if index % 20 == 0:
            peak_connections = max(peak_connections, connections_now())
    created_in = time.monotonic() - started

    deadline = started + arguments.timeout
    pipelines = MessagePipeline.objects.filter(customer=customer)
    while time.monotonic() < deadline:
        peak_connections = max(peak_connections, connections_now())
        unfinished = pipelines.filter(state__in=("Queued", "Running")).count()
        if unfinished == 0 and pipelines.count() == arguments.messages:
            break
        time.sleep(0.25)
    messages = TicketMessage.objects.filter(customer=customer, incoming=True)
    drafted = messages.exclude(ai_response_datetime=None)
    latencies = [
        (row.ai_response_datetime - row.created_at).total_seconds()
        for row in drafted.only("created_at", "ai_response_datetime")
    ]
    span = drafted.aggregate(first=Min("created_at"), last=Max("ai_response_datetime"))
    elapsed = (span["last"] - span["first"]).total_seconds() if latencies else float("nan")
    states = dict(pipelines.values_list("state").annotate(n=Min("id")).values_list("state", "id"))
    return [
        f"messages: {arguments.messages}, drafted: {len(latencies)}, pipeline states: {sorted(states)}",
        f"conditions: stand-in delay {arguments.delay * 1000:.0f} ms, 1 worker process, threads pool "
        f"x{arguments.concurrency}, arrival rate {arguments.rate or 'burst'} msg/s (created in {created_in:.1f} s), "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        f"throughput: {len(latencies) / elapsed:.1f} messages/s (first arrival to last draft: {elapsed:.1f} s)",
        f"arrival to draft: p50 {_percentile(latencies, 0.5):.2f} s, p99 {_percentile(latencies, 0.99):.2f} s, "
        f"mean {statistics.fmean(latencies):.2f} s",
        f"peak database connections (whole database): {peak_connections}",
    ]


if __name__ == "__main__":
    main()
