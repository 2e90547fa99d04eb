"""Transcribes a customer's recorded calls again (e.g. after switching the transcribe model).

    manage.py voice_retranscribe --customer 7 [--since 2026-11-01] [--commit]

Without --commit it only counts what it would do. With it, each call is transcribed in this process
(progress per call); the transcript replaces the message text and the cost rows are written as usual."""

from collections import Counter
from datetime import UTC, date, datetime

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from voice import selectors, services


class Command(BaseCommand):
    help = "Transcribes a customer's recorded calls again (dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument("--since", type=date.fromisoformat, help="Only calls from this UTC date (YYYY-MM-DD).")
        parser.add_argument("--commit", action="store_true", help="Transcribe; without it nothing changes.")

    def handle(self, *args, customer: int, since: date | None, commit: bool, **options):
        if not Customer.objects.filter(pk=customer).exists():
            raise CommandError(f"No customer with id {customer}.")
        start = datetime.combine(since, datetime.min.time(), tzinfo=UTC) if since else None
        calls = list(selectors.calls_with_audio(customer_id=customer, since=start).values_list("pk", "call_sid"))
        if not commit:
            self.stdout.write(f"{len(calls)} call(s) would be transcribed again (dry run: add --commit).")
            return
        outcomes = Counter()
        for position, (call_id, call_sid) in enumerate(calls, 1):
            outcome = services.call_transcribe(call_id=call_id, force=True) or "Skipped"
            outcomes[outcome] += 1
            self.stdout.write(f"[{position}/{len(calls)}] {call_sid}: {outcome}")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(self.style.SUCCESS(f"{len(calls)} call(s) transcribed again: {summary}."))
