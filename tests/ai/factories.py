import factory

from ai.models import MessagePipeline
from tests.customers.factories import CustomerFactory
from tests.tickets.factories import TicketMessageFactory


class MessagePipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessagePipeline

    customer = factory.SubFactory(CustomerFactory)
    message = factory.SubFactory(TicketMessageFactory, customer=factory.SelfAttribute("..customer"))
