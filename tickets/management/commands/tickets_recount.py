"""Rebuilds the per-customer ticket counters (TicketCounter) that answer the ticket list's totalCount."""

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from tickets.models import TicketCounter
from tickets.services import ticket_counters_rebuild


class Command(BaseCommand):
    help = (
        "Recount tickets per status and spam flag into TicketCounter and drop cached search totals (after bulk "
        "imports or raw SQL); reports the counters that were wrong."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--customer", type=int, help="Customer id.")
        target.add_argument("--all-customers", action="store_true")

    def handle(self, *args, **options):
        customers = Customer.objects.order_by("pk")
        if options["customer"] is not None:
            customers = customers.filter(pk=options["customer"])
            if not customers.exists():
                raise CommandError(f"No customer with id {options['customer']}.")
        ids = list(customers.values_list("pk", flat=True))
        drifted = 0
        for index, customer_id in enumerate(ids, start=1):
            before = {
                (row.status, row.is_spam): row.count for row in TicketCounter.objects.filter(customer_id=customer_id)
            }
            total = ticket_counters_rebuild(customer_id=customer_id)
            after = {
                (row.status, row.is_spam): row.count for row in TicketCounter.objects.filter(customer_id=customer_id)
            }
            changed = {key for key in before.keys() | after.keys() if before.get(key, 0) != after.get(key, 0)}
            drifted += bool(changed)
            note = f", corrected {len(changed)} counter(s)" if changed else ""
            self.stdout.write(f"[{index}/{len(ids)}] customer {customer_id}: {total} tickets{note}")
        self.stdout.write(self.style.SUCCESS(f"Recounted {len(ids)} customer(s); {drifted} had drifted counters."))
