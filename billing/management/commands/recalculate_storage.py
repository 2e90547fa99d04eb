"""Recalculates storage usage from the registered storage sources for one or every customer."""

from django.core.management.base import BaseCommand, CommandError

from billing.services import storage_usage_recalculate
from customers.models import Customer


class Command(BaseCommand):
    help = "Recalculate storage usage (sums the registered storage sources) for --customer ID or --all-customers."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--customer", type=int, help="Id of the customer to recalculate.")
        target.add_argument("--all-customers", action="store_true", help="Recalculate every active customer.")

    def handle(self, *args, customer=None, all_customers=False, **options):
        customers = Customer.objects.order_by("pk")
        customers = customers.filter(pk=customer) if customer else customers.filter(is_active=True)
        total = customers.count()
        if customer and not total:
            raise CommandError(f"No customer with id {customer}.")
        done, failed, used = 0, 0, 0
        for position, row in enumerate(customers.iterator(), start=1):
            try:
                usage = storage_usage_recalculate(customer_id=row.pk)
            except Exception as error:  # noqa: BLE001 - one customer's failure must not stop the run
                failed += 1
                self.stderr.write(f"[{position}/{total}] {row} (#{row.pk}): failed: {error}")
                continue
            done += 1
            used += usage.used_bytes
            self.stdout.write(
                f"[{position}/{total}] {row} (#{row.pk}): {usage.used_bytes} bytes, {usage.notification_state}"
            )
        summary = f"Recalculated {done} of {total} customer(s); {failed} failed; {used} bytes in use in total."
        self.stdout.write(self.style.SUCCESS(summary) if not failed else self.style.WARNING(summary))
        if failed:
            raise CommandError(f"{failed} customer(s) could not be recalculated.")
