"""Creates a customer (tenant) with its subscription and first Administrator; idempotent on hostname."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import customer_onboard
from answerpal.api.errors import ApiError
from billing.services import plans_ensure_default
from customers.services import model_catalogue_ensure_default


def login_hint(*, hostname: str, username: str) -> str:
    return (
        f"Log in: POST {settings.PUBLIC_BASE_URL.rstrip('/')}/api/Auth/login  hostname={hostname}  username={username}"
    )


class Command(BaseCommand):
    help = "Create a customer with its subscription and first Administrator (nothing changes if the hostname exists)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Customer (company) name.")
        parser.add_argument("--hostname", required=True, help="Web app host the customer's reps log in through.")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--plan", default="business", help="Subscription plan code (default: business).")

    def handle(self, *args, **options):
        plans_ensure_default()
        model_catalogue_ensure_default()
        try:
            customer, admin, created = customer_onboard(
                name=options["name"],
                hostname=options["hostname"],
                plan_code=options["plan"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
                admin_email=options["admin_email"],
            )
        except ApiError as error:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in (error.errors or {}).items())
            raise CommandError(f"{error.code}: {error.detail}" + (f" ({details})" if details else "")) from error
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Created customer {customer.name} (id {customer.pk}, {customer.hostname})")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Customer with hostname {customer.hostname} already exists (id {customer.pk}); nothing changed."
                )
            )
        if admin is not None:
            self.stdout.write(login_hint(hostname=customer.hostname, username=admin.username))
