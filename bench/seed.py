"""Seeds the ticket benchmark on PostgreSQL: one big customer (1,000,000 tickets, 3 messages each)
and a second one (100,000), with end users, UIDs and exact TicketCounter rows. Uses COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets \\
        .venv/bin/python bench/seed.py [--tickets 1000000] [--second 100000] [--reset]

Refuses to run unless the database name starts with `bench` (it writes millions of rows)."""

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from accounts.models import CustomerRep  # noqa: E402
from answerpal.api.policies import Role  # noqa: E402
from billing.services import plans_ensure_default  # noqa: E402
from channels_cfg.models import Channel, ChannelType  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.services import customer_create  # noqa: E402
from tickets.models import EndUser, EndUserUID, Ticket, TicketMessage  # noqa: E402
from tickets.services import ticket_counters_rebuild  # noqa: E402

WORDS = [
    "invoice",
    "order",
    "delivery",
    "refund",
    "password",
    "account",
    "login",
    "payment",
    "subscription",
    "upgrade",
    "cancel",
    "shipping",
    "damaged",
    "missing",
    "warranty",
    "question",
    "complaint",
    "address",
    "change",
    "appointment",
    "quote",
    "contract",
    "renewal",
    "discount",
    "coupon",
    "return",
    "exchange",
    "broken",
    "support",
    "urgent",
    "website",
    "app",
]
STATUSES = ["Closed"] * 60 + ["Open"] * 25 + ["Pending"] * 10 + ["Escalated"] * 5
BENCH_HOST = "bench{n}.answerpal.test"
END_USERS_PER_CUSTOMER = 20_000
BATCH = 50_000


def _copy(table: str, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into `table`; returns the row count."""
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _model_defaults(model, skip: set[str]) -> tuple[list[str], dict]:
    """Column names and static default values of a model's concrete fields (for COPY rows)."""
    columns, defaults = [], {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in skip:
            continue
        columns.append(field.column)
        default = field.get_default()
        if isinstance(default, dict | list):
            default = json.dumps(default)
        defaults[field.column] = default
    return columns, defaults


def _customer(n: int) -> Customer:
    hostname = BENCH_HOST.format(n=n)
    existing = Customer.objects.filter(hostname=hostname).first()
    return existing or customer_create(name=f"Bench customer {n}", hostname=hostname)


def _reset(customer: Customer) -> None:
    with connection.cursor() as cursor:
        for table, column in (
            ("tickets_ticketmessage", "customer_id"),
            ("tickets_ticket", "customer_id"),
            ("tickets_enduseruid", "customer_id"),
            ("tickets_enduser", "customer_id"),
            ("tickets_ticketcounter", "customer_id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [customer.pk])


def _end_users(customer: Customer) -> list[tuple[int, str]]:
    """END_USERS_PER_CUSTOMER end users with one e-mail UID each; returns (id, uid) pairs."""
    have = list(EndUserUID.objects.filter(customer=customer).order_by("end_user_id").values_list("end_user_id", "uid"))
    if have:
        return have
    columns, defaults = _model_defaults(EndUser, skip=set())
    now = datetime.now(UTC)

    def users():
        for i in range(END_USERS_PER_CUSTOMER):
            row = {**defaults, "customer_id": customer.pk, "firstname": f"First{i}", "lastname": f"Last{i}"}
            row.update(created_at=now, updated_at=now)
            yield tuple(row[column] for column in columns)

    _copy(EndUser._meta.db_table, columns, users())
    ids = list(EndUser.objects.filter(customer=customer).order_by("id").values_list("id", flat=True))
    columns, defaults = _model_defaults(EndUserUID, skip=set())

    def uids():
        for i, end_user_id in enumerate(ids):
            row = {**defaults, "customer_id": customer.pk, "end_user_id": end_user_id}
            row.update(uid=f"person{i}@bench{customer.pk}.example", uid_type="Email", is_primary=True, created_at=now)
            yield tuple(row[column] for column in columns)

    _copy(EndUserUID._meta.db_table, columns, uids())
    return list(EndUserUID.objects.filter(customer=customer).order_by("end_user_id").values_list("end_user_id", "uid"))


def _seed_customer(n: int, total: int, reset: bool) -> Customer:
    customer = _customer(n)
    if reset:
        _reset(customer)
    channel, _ = Channel.objects.get_or_create(
        customer=customer, name="Bench mailbox", defaults={"channel_type": ChannelType.EMAIL}
    )
    reps = list(CustomerRep.objects.filter(customer=customer))
    if not reps:
        admin = CustomerRep.objects.create_user(
            f"bench-admin-{n}", "Bench-pass-123", customer=customer, role=Role.ADMINISTRATOR, name="Bench Admin"
        )
        reps = [admin] + [
            CustomerRep.objects.create_user(f"bench-rep-{n}-{i}", "Bench-pass-123", customer=customer, name=f"Rep {i}")
            for i in range(5)
        ]
    people = _end_users(customer)
    existing = Ticket.objects.filter(customer=customer).count()
    rng = random.Random(n)
    ticket_columns, ticket_defaults = _model_defaults(Ticket, skip={"last_end_user_message"})
    message_columns, message_defaults = _model_defaults(TicketMessage, skip={"reply_to_message"})
    start = datetime.now(UTC) - timedelta(days=730)
    started = time.monotonic()
    print(f"customer {customer.pk}: {existing} tickets present, seeding {max(total - existing, 0)} more", flush=True)
    done = existing
    while done < total:
        size = min(BATCH, total - done)
        batch_tickets = []

        def tickets(size=size, batch_tickets=batch_tickets):
            for _ in range(size):
                end_user_id, uid = people[rng.randrange(len(people))]
                created = start + timedelta(seconds=rng.randrange(730 * 86400))
                last = created + timedelta(minutes=rng.randrange(1, 5000))
                status = rng.choice(STATUSES)
                subject = " ".join(rng.sample(WORDS, 3)).capitalize() + f" #{rng.randrange(10**6)}"
                preview = f"Hello, about my {subject.lower()}: could you help me with this?"
                rep = rng.choice(reps) if rng.random() < 0.7 else None
                row = {
                    **ticket_defaults,
                    "customer_id": customer.pk,
                    "channel_id": channel.pk,
                    "channel_type": ChannelType.EMAIL,
                    "customer_rep_id": rep.pk if rep else None,
                    "end_user_id": end_user_id,
                    "status": status,
                    "subject": subject,
                    "is_spam": rng.random() < 0.03,
                    "is_closed": status == "Closed",
                    "close_date": last if status == "Closed" else None,
                    "created_at": created,
                    "last_message_at": last,
                    "uid": uid,
                    "preview": preview,
                    "token": uuid.uuid4(),
                }
                batch_tickets.append((created, last, uid, subject, preview))
                yield tuple(row[column] for column in ticket_columns)

        with transaction.atomic():
            _copy(Ticket._meta.db_table, ticket_columns, tickets())
            ids = list(Ticket.objects.filter(customer=customer).order_by("-id").values_list("id", flat=True)[:size])[
                ::-1
            ]

            def messages(ids=ids, batch_tickets=batch_tickets):
                for ticket_id, (created, last, uid, subject, preview) in zip(ids, batch_tickets, strict=True):
                    for index, (incoming, sender, status) in enumerate(
                        ((True, "EndUser", "Received"), (False, "CustomerRep", "Sent"), (True, "EndUser", "Received"))
                    ):
                        at = created + (last - created) * index / 2
                        row = {
                            **message_defaults,
                            "customer_id": customer.pk,
                            "ticket_id": ticket_id,
                            "channel_id": channel.pk,
                            "sender_type": sender,
                            "incoming": incoming,
                            "status": status,
                            "created_at": at,
                            "message_date": at,
                            "subject": subject,
                            "text_body": preview,
                            "body_preview": preview,
                            "uid": uid,
                            "from_address": uid if incoming else "support@bench.example",
                            "message_identifier": f"<{ticket_id}.{index}@bench.example>",
                            "tracking_token": uuid.uuid4(),
                        }
                        yield tuple(row[column] for column in message_columns)

            _copy(TicketMessage._meta.db_table, message_columns, messages())
        done += size
        rate = (done - existing) / (time.monotonic() - started)
        print(f"  customer {customer.pk}: {done}/{total} tickets ({rate:,.0f} tickets/s)", flush=True)
    ticket_counters_rebuild(customer_id=customer.pk)
    return customer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets of the big customer")
    parser.add_argument("--second", type=int, default=100_000, help="tickets of the second customer")
    parser.add_argument("--reset", action="store_true", help="delete the bench customers' conversations first")
    args = parser.parse_args()
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or not str(name).startswith("bench"):
        sys.exit(f"Refusing to seed '{name}' ({connection.vendor}): use a PostgreSQL database named bench*.")
    plans_ensure_default()
    began = time.monotonic()
    big = _seed_customer(1, args.tickets, args.reset)
    small = _seed_customer(2, args.second, args.reset)
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_ticketmessage", "tickets_enduser", "tickets_enduseruid"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"done in {time.monotonic() - began:,.0f} s: customer {big.pk} "
        f"{Ticket.objects.filter(customer=big).count():,} tickets, customer {small.pk} "
        f"{Ticket.objects.filter(customer=small).count():,} tickets",
        flush=True,
    )


if __name__ == "__main__":
    main()
