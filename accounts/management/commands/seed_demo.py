"""Idempotent demo set-up for the embedded default: plans, AI model catalogue, demo tenant, operator."""

import os
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import customer_onboard, operator_ensure
from answerpal.api.errors import ApiError
from billing.services import plans_ensure_default
from channels_cfg.models import Channel, ChannelType
from channels_cfg.services import channel_create
from customers.services import model_catalogue_ensure_default

DEMO_HOSTNAME = "localhost"
DEMO_CHANNELS = [
    {"channel_type": ChannelType.EMAIL, "name": "Support mailbox", "email_address": "support@demo.example"},
    {"channel_type": ChannelType.CHAT, "name": "Website chat", "hostnames": "localhost 127.0.0.1"},
]
DEMO_CUSTOMER_NAME = "Demo Company"
DEMO_ADMIN_USERNAME = "demo"
DEMO_ADMIN_DEFAULT_PASSWORD = "demo-pass-123"
OPERATOR_USERNAME = "operator"
OPERATOR_DEFAULT_PASSWORD = "operator-pass-123"


class Command(BaseCommand):
    help = (
        "Ensure the default plans and AI model catalogue, the demo customer (hostname localhost) with "
        "Administrator 'demo', and the platform operator 'operator'. Safe to run on every start."
    )

    def handle(self, *args, **options):
        plans = plans_ensure_default()
        models = model_catalogue_ensure_default()
        self.stdout.write(f"Subscription plans: {len(plans)}; global AI models: {len(models)}")

        admin_password = os.environ.get("DEMO_ADMIN_PASSWORD") or DEMO_ADMIN_DEFAULT_PASSWORD
        try:
            customer, admin, created = customer_onboard(
                name=DEMO_CUSTOMER_NAME,
                hostname=DEMO_HOSTNAME,
                plan_code="business",
                admin_username=DEMO_ADMIN_USERNAME,
                admin_password=admin_password,
                admin_email="demo@example.com",
            )
        except ApiError as error:
            raise CommandError(f"DEMO_ADMIN_PASSWORD is not accepted: {error.detail}") from error
        admin_username = admin.username if admin else DEMO_ADMIN_USERNAME
        self._report("Demo customer", f"{customer.name} (id {customer.pk}, hostname {customer.hostname})", created)
        admin_shown = self._password(admin_password, created, DEMO_ADMIN_DEFAULT_PASSWORD, "DEMO_ADMIN_PASSWORD")
        self._report("Administrator", f"{admin_username} / {admin_shown}", created)

        for data in DEMO_CHANNELS:
            channel = Channel.objects.filter(customer=customer, name=data["name"], deleted_at__isnull=True).first()
            channel_created = channel is None
            if channel_created:
                channel = channel_create(customer_id=customer.pk, data=data)
            token = f", public token {channel.token}" if channel.channel_type == ChannelType.CHAT else ""
            self._report("Channel", f"{channel.name} (id {channel.pk}, {channel.channel_type}{token})", channel_created)

        operator_password = os.environ.get("DEMO_OPERATOR_PASSWORD") or OPERATOR_DEFAULT_PASSWORD
        operator, operator_created = operator_ensure(
            username=OPERATOR_USERNAME, password=operator_password, email="operator@example.com"
        )
        self._report(
            "Platform operator (/admin/)",
            f"{operator.username} / "
            + self._password(operator_password, operator_created, OPERATOR_DEFAULT_PASSWORD, "DEMO_OPERATOR_PASSWORD"),
            operator_created,
        )

        base = settings.PUBLIC_BASE_URL.rstrip("/")
        password = admin_password if created else "<password>"
        body = f'{{"username": "{admin_username}", "password": "{password}", "hostname": "{customer.hostname}"}}'
        self.stdout.write("Log in to the API:")
        self.stdout.write(
            f"  curl -s -X POST {base}/api/Auth/login -H 'Content-Type: application/json' -d {shlex.quote(body)}"
        )
        self.stdout.write(f"Admin: {base}/admin/   API docs: {base}/api/docs/")

    @staticmethod
    def _password(password: str, created: bool, default: str, variable: str) -> str:
        if created:
            return password
        return f"(unchanged since first seeded: {default} unless {variable} was set then)"

    def _report(self, label: str, value: str, created: bool) -> None:
        state = self.style.SUCCESS("created") if created else "exists"
        self.stdout.write(f"{label}: {value} [{state}]")
