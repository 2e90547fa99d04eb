"""Sanitises message HTML stored before inbound mail and representatives' htmlBody were sanitised on the way in."""

from django.core.management.base import BaseCommand, CommandError

from customers.models import Customer
from tickets.services import messages_html_sanitise


class Command(BaseCommand):
    help = (
        "Run every stored message HTML body through the message sanitiser (scripts, event handlers, javascript: "
        "and data: URLs, unsafe styles removed); reports what would change, and changes it only with --commit."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--customer", type=int, help="Customer id.")
        target.add_argument("--all-customers", action="store_true")
        parser.add_argument("--commit", action="store_true", help="Write the sanitised bodies (default: dry run).")

    def handle(self, *args, **options):
        customers = Customer.objects.order_by("pk")
        if options["customer"] is not None:
            customers = customers.filter(pk=options["customer"])
            if not customers.exists():
                raise CommandError(f"No customer with id {options['customer']}.")
        ids = list(customers.values_list("pk", flat=True))
        verb = "sanitised" if options["commit"] else "would sanitise"
        total_checked = total_changed = 0
        for index, customer_id in enumerate(ids, start=1):
            checked, changed = messages_html_sanitise(customer_id=customer_id, commit=options["commit"])
            total_checked, total_changed = total_checked + checked, total_changed + changed
            self.stdout.write(f"[{index}/{len(ids)}] customer {customer_id}: {checked} HTML bodies, {verb} {changed}")
        summary = f"{len(ids)} customer(s), {total_checked} HTML bodies checked, {verb} {total_changed}."
        if not options["commit"]:
            summary += " Run again with --commit to write them."
        self.stdout.write(self.style.SUCCESS(summary))
