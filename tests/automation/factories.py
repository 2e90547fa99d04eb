import factory
from django.utils import timezone

from automation.models import (
    Action,
    ActionType,
    ConnectorCall,
    HookName,
    ScheduledTicketDeletion,
    TicketMessageAction,
    Topic,
    TopicAction,
    TopicChannel,
    TopicDocument,
)
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import CustomerFactory
from tests.documents.factories import DocumentFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")
    description = "Questions about this subject"


class TopicChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicChannel

    customer = factory.SubFactory(CustomerFactory)
    topic = factory.SubFactory(TopicFactory, customer=factory.SelfAttribute("..customer"))
    channel = factory.SubFactory(ChannelFactory, customer=factory.SelfAttribute("..customer"))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Action {n}")
    action_type = ActionType.CLOSE


class TopicActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicAction

    customer = factory.SubFactory(CustomerFactory)
    topic = factory.SubFactory(TopicFactory, customer=factory.SelfAttribute("..customer"))
    action = factory.SubFactory(ActionFactory, customer=factory.SelfAttribute("..customer"))
    priority = 10


class HookActionFactory(TopicActionFactory):
    """A TopicAction standing for a hook link (no topic, specialTopic = hook name)."""

    topic = None
    special_topic = HookName.ON_CLOSE


class TopicDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicDocument

    customer = factory.SubFactory(CustomerFactory)
    topic = factory.SubFactory(TopicFactory, customer=factory.SelfAttribute("..customer"))
    document = factory.SubFactory(DocumentFactory, customer=factory.SelfAttribute("..customer"))


class TicketMessageActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessageAction

    customer = factory.SubFactory(CustomerFactory)
    message = factory.SubFactory(TicketMessageFactory, customer=factory.SelfAttribute("..customer"))
    action = factory.SubFactory(ActionFactory, customer=factory.SelfAttribute("..customer"))
    trigger = HookName.ON_CLOSE


class ConnectorCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectorCall

    customer = factory.SubFactory(CustomerFactory)
    method = "GET"
    url = "https://api.example.com/orders"
    status_code = 200


class ScheduledTicketDeletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledTicketDeletion

    customer = factory.SubFactory(CustomerFactory)
    ticket = factory.SubFactory(TicketFactory, customer=factory.SelfAttribute("..customer"))
    delete_after = factory.LazyFunction(timezone.now)
