import factory

from channels_cfg.models import Channel, ChannelType
from tests.customers.factories import CustomerFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    customer = factory.SubFactory(CustomerFactory)
    channel_type = ChannelType.EMAIL
    name = factory.Sequence(lambda n: f"Channel {n}")
    email_address = factory.Sequence(lambda n: f"support{n}@example.com")
