import factory

from channels_cfg.models import Channel, ChannelFolder, ChannelTranslation, ChannelType
from tests.customers.factories import CustomerFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    customer = factory.SubFactory(CustomerFactory)
    channel_type = ChannelType.EMAIL
    name = factory.Sequence(lambda n: f"Channel {n}")
    email_address = factory.Sequence(lambda n: f"support{n}@example.com")


class ChannelFolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelFolder

    customer = factory.SubFactory(CustomerFactory)
    channel = factory.SubFactory(ChannelFactory, customer=factory.SelfAttribute("..customer"))
    folder_id = factory.Sequence(lambda n: f"AAMkAGI2-folder-{n}")
    folder_name = factory.Sequence(lambda n: f"Folder {n}")


class ChannelTranslationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelTranslation

    customer = factory.SubFactory(CustomerFactory)
    channel = factory.SubFactory(ChannelFactory, customer=factory.SelfAttribute("..customer"))
    lang = factory.Sequence(lambda n: ["en", "nl", "fr", "de", "es", "it"][n % 6])
    translations = factory.LazyAttribute(lambda row: {"welcome": f"Welcome [{row.lang}]"})
