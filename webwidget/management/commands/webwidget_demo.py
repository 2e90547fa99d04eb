"""Idempotent demo content for the web chat demo page (/demo/chat): the demo tenant's chat channel gets its widget
settings and the tenant a short FAQ document, so the offline AI's extractive answers say something useful."""

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands.seed_demo import DEMO_HOSTNAME
from channels_cfg.models import Channel, ChannelType
from customers.models import Customer
from documents.models import Document
from documents.services import document_create, document_update
from webwidget.models import ChatWidget

DEMO_FAQ_NAME = "Demo Company FAQ"
DEMO_FAQ = """# Demo Company FAQ

Opening hours: our shop is open Monday to Friday from 9:00 to 18:00 and on Saturday from 10:00 to 16:00.

Delivery: we deliver in Belgium, the Netherlands, France and Germany within two to three working days; delivery is
free for orders above 50 euros, below that it costs 4.95 euros.

Returns: you can return an article within 30 days for a full refund; the return label is in the parcel.

Password: to reset your password, choose "Forgot password" on the login page and follow the link in the e-mail.

Payment: you can pay by card, Bancontact, iDEAL or bank transfer.
"""


class Command(BaseCommand):
    help = "Give the demo tenant (seed_demo) a chat widget and an FAQ document for /demo/chat. Safe to run again."

    def handle(self, *args, **options):
        customer = Customer.objects.filter(hostname=DEMO_HOSTNAME).first()
        if customer is None:
            raise CommandError("No demo tenant: run `manage.py seed_demo` first.")
        channel = Channel.objects.filter(
            customer=customer, channel_type=ChannelType.CHAT, is_active=True, deleted_at__isnull=True
        ).first()
        if channel is None:
            raise CommandError("The demo tenant has no active chat channel: run `manage.py seed_demo` first.")
        _, created = ChatWidget.objects.get_or_create(
            channel=channel, defaults={"customer": customer, "title": "Demo Company"}
        )
        self.stdout.write(f"Chat widget of '{channel.name}': {'created' if created else 'exists'}")
        document = Document.objects.filter(customer=customer, name=DEMO_FAQ_NAME).first()
        if document is None:
            document_create(customer_id=customer.pk, data={"name": DEMO_FAQ_NAME, "content": DEMO_FAQ})
        elif document.content != DEMO_FAQ:
            document_update(document=document, data={"content": DEMO_FAQ})
        self.stdout.write(f"Knowledge document '{DEMO_FAQ_NAME}': {'created' if document is None else 'up to date'}")
