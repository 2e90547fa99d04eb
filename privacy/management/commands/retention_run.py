"""Applies the customers' retention settings now (dry run by default: what is due per kind)."""

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from privacy.services import retention_customers, retention_run


class Command(BaseCommand):
    help = (
        "Delete closed tickets and recordings and erase end users without tickets past each customer's retention "
        "settings, in bounded batches, writing a RetentionRun report. Changes nothing without --commit."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--customer", type=int, help="Customer id.")
        target.add_argument("--all-customers", action="store_true", help="Every customer with retention settings.")
        parser.add_argument("--commit", action="store_true", help="Delete (default: only count what is due).")

    def handle(self, *args, **options):
        if options["customer"] is not None:
            if not Customer.objects.filter(pk=options["customer"]).exists():
                raise CommandError(f"No customer with id {options['customer']}.")
            ids = [options["customer"]]
        else:
            ids = retention_customers()
        commit = options["commit"]
        totals: dict[str, int] = {}
        for index, customer_id in enumerate(ids, start=1):

            def progress(kind, count, customer_id=customer_id):
                self.stdout.write(f"    customer {customer_id} {kind}: {count} so far")

            run = retention_run(customer_id=customer_id, commit=commit, progress=progress)
            for kind, count in run.counts.items():
                totals[kind] = totals.get(kind, 0) + count
            rest = "" if run.complete else " (batch limit reached; the rest waits for the next run)"
            self.stdout.write(f"[{index}/{len(ids)}] customer {customer_id}: {run.counts or 'no settings'}{rest}")
        verb = "Removed" if commit else "Due (dry run, nothing changed)"
        summary = ", ".join(f"{kind} {count}" for kind, count in sorted(totals.items())) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"{verb} for {len(ids)} customer(s): {summary}."))
