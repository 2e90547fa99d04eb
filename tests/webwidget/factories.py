import factory

from channels_cfg.models import ChannelType
from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import CustomerFactory
from webwidget.models import ChatWidget


class ChatWidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatWidget

    customer = factory.SubFactory(CustomerFactory)
    channel = factory.SubFactory(
        ChannelFactory, customer=factory.SelfAttribute("..customer"), channel_type=ChannelType.CHAT, email_address=""
    )
