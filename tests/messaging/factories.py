import factory
from django.utils import timezone

from messaging.models import GraphSubscription, InboundReceipt, MailboxSyncState, OutboxMessage, Transport
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory
from tests.customers.factories import CustomerFactory
from tests.tickets.factories import TicketMessageFactory


class GraphSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GraphSubscription

    customer = factory.SubFactory(CustomerFactory)
    channel = factory.SubFactory(ChannelFactory, customer=factory.SelfAttribute("..customer"))
    folder = factory.SubFactory(
        ChannelFolderFactory, customer=factory.SelfAttribute("..customer"), channel=factory.SelfAttribute("..channel")
    )
    subscription_id = factory.Sequence(lambda n: f"sub-{n}")
    resource = factory.LazyAttribute(lambda row: f"users/{row.channel.email_address}/mailFolders('x')/messages")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=2))


class MailboxSyncStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailboxSyncState

    customer = factory.SubFactory(CustomerFactory)
    folder = factory.SubFactory(ChannelFolderFactory, customer=factory.SelfAttribute("..customer"))
    channel = factory.SelfAttribute("folder.channel")


class InboundReceiptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundReceipt

    customer = factory.SubFactory(CustomerFactory)
    provider = "mail"
    external_id = factory.Sequence(lambda n: f"<m{n}@example.com>")


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    customer = factory.SubFactory(CustomerFactory)
    message = factory.SubFactory(TicketMessageFactory, customer=factory.SelfAttribute("..customer"), incoming=False)
    channel = factory.SelfAttribute("message.channel")
    transport = Transport.GRAPH
    idempotency_key = factory.Sequence(lambda n: f"message-test-{n}")
    next_attempt_at = factory.LazyFunction(timezone.now)
