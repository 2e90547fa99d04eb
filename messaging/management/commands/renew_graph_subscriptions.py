"""Renews Graph subscriptions expiring soon; with --sync also reconciles every mail channel's set."""

from django.core.management.base import BaseCommand

from channels_cfg.models import Channel, ChannelType
from messaging import selectors, services
from messaging.graph import GraphError


class Command(BaseCommand):
    help = "Renew Microsoft Graph subscriptions that expire within 24 hours (run by beat every 30 minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, help="Only this customer's subscriptions.")
        parser.add_argument("--sync", action="store_true", help="Also create missing / remove stale subscriptions.")

    def handle(self, *args, customer=None, sync=False, **options):
        due = selectors.graph_subscriptions_due().select_related("channel")
        if customer:
            due = due.filter(customer_id=customer)
        renewed = failed = created = deleted = 0
        for subscription in due:
            ok = services.graph_subscription_renew(subscription=subscription)
            renewed += ok
            failed += not ok
            self.stdout.write(f"{'renewed' if ok else 'FAILED '} {subscription.subscription_id}")
        if sync:
            channels = Channel.objects.filter(channel_type=ChannelType.EMAIL, deleted_at__isnull=True)
            if customer:
                channels = channels.filter(customer_id=customer)
            for channel_id in channels.values_list("pk", flat=True):
                try:
                    result = services.graph_subscriptions_sync(channel_id=channel_id)
                except GraphError as error:
                    self.stderr.write(f"channel {channel_id}: {error}")
                    failed += 1
                    continue
                created += result["created"]
                deleted += result["deleted"]
        self.stdout.write(self.style.SUCCESS(f"renewed={renewed} failed={failed} created={created} deleted={deleted}"))
