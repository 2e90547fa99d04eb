"""A small tenant set-up shared by the pipeline and route tests: channels, topics, knowledge, a signature."""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import CustomerRep
from automation.models import Topic
from channels_cfg.models import Channel
from tests.accounts.factories import CustomerRepFactory, RepSignatureFactory
from tests.automation.factories import TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.documents.factories import DocumentFactory
from tickets import services as ticket_services

OPENING_HOURS = "De winkel is open van maandag tot zaterdag, van 9 tot 18 uur. Op zondag zijn we gesloten."
RETURNS = "Retourneren kan binnen 30 dagen. Print het retourlabel uit uw account en geef het pakket af bij de post."


@dataclass
class Tenant:
    email: Channel
    chat: Channel
    rep: CustomerRep
    billing: Topic
    delivery: Topic
    hours: Topic


def tenant_setup(customer) -> Tenant:
    rep = CustomerRepFactory(customer=customer, username="agent-ai", name="Piet", email_signature_text="Piet")
    RepSignatureFactory(
        customer=customer,
        rep=rep,
        lang="nl",
        email_signature_text="Piet Peeters\nAcme klantendienst",
        email_signature_html="<p>Piet Peeters<br>Acme klantendienst</p>",
    )
    customer.default_customer_rep = rep
    customer.save(update_fields=["default_customer_rep"])
    DocumentFactory(customer=customer, name="Openingsuren", content=OPENING_HOURS)
    DocumentFactory(customer=customer, name="Retourbeleid", content=RETURNS)
    return Tenant(
        email=ChannelFactory(customer=customer, channel_type="Email"),
        chat=ChannelFactory(customer=customer, channel_type="Chat"),
        rep=rep,
        billing=TopicFactory(customer=customer, name="Facturen", description="factuur, betaling, invoice"),
        delivery=TopicFactory(customer=customer, name="Levering", description="pakket, levering, delivery"),
        hours=TopicFactory(customer=customer, name="Openingsuren", description="open, openingsuren, winkel, uur"),
    )


def inbound(customer, channel: Channel, text: str, *, subject: str = "", uid: str = "jan@example.be", ticket=None):
    """An inbound end-user message through the tickets service (publishes MessageReceived after commit)."""
    with transaction.atomic():
        return ticket_services.message_create(
            customer_id=customer.pk,
            ticket=ticket,
            channel_id=channel.pk,
            channel_type=channel.channel_type,
            incoming=True,
            uid=uid,
            fields={"subject": subject, "text_body": text, "from_address": uid, "from_name": "Jan Janssens"},
        )
