import factory

from tests.channels_cfg.factories import ChannelFactory
from tests.customers.factories import CustomerFactory
from tickets.models import (
    EndUser,
    EndUserUID,
    SenderType,
    Ticket,
    TicketMessage,
    TicketMessageAttachment,
    TicketMessageTopic,
    UidType,
)


class EndUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EndUser

    customer = factory.SubFactory(CustomerFactory)
    firstname = factory.Faker("first_name")
    lastname = factory.Faker("last_name")


class EndUserUIDFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EndUserUID

    customer = factory.SubFactory(CustomerFactory)
    end_user = factory.SubFactory(EndUserFactory, customer=factory.SelfAttribute("..customer"))
    uid = factory.Sequence(lambda n: f"person{n}@example.com")
    uid_type = UidType.EMAIL
    is_primary = True


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    customer = factory.SubFactory(CustomerFactory)
    channel = factory.SubFactory(ChannelFactory, customer=factory.SelfAttribute("..customer"))
    channel_type = factory.SelfAttribute("channel.channel_type")
    end_user = factory.SubFactory(EndUserFactory, customer=factory.SelfAttribute("..customer"))
    subject = factory.Sequence(lambda n: f"Question {n}")
    uid = factory.Sequence(lambda n: f"client{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Through the service so TicketCounter stays exact."""
        from tickets import services

        extra = {key: kwargs.pop(key) for key in ("preview", "summary", "escalated", "is_spam") if key in kwargs}
        rep = kwargs.pop("customer_rep", None)
        channel = kwargs.pop("channel", None)
        ticket = services.ticket_create(
            customer_id=kwargs.pop("customer").pk,
            channel_id=channel.pk if channel else None,
            customer_rep_id=rep.pk if rep else None,
            **kwargs,
            **extra,
        )
        return ticket


class TicketMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessage

    customer = factory.SubFactory(CustomerFactory)
    ticket = factory.SubFactory(TicketFactory, customer=factory.SelfAttribute("..customer"))
    channel = factory.SelfAttribute("ticket.channel")
    sender_type = SenderType.END_USER
    incoming = True
    subject = factory.SelfAttribute("ticket.subject")
    text_body = factory.Faker("paragraph")
    from_address = factory.SelfAttribute("ticket.uid")
    uid = factory.SelfAttribute("ticket.uid")


class TicketMessageAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessageAttachment

    customer = factory.SubFactory(CustomerFactory)
    message = factory.SubFactory(TicketMessageFactory, customer=factory.SelfAttribute("..customer"))
    file = factory.django.FileField(filename="note.txt", data=b"hello attachment")
    file_name = "note.txt"
    content_type = "text/plain"
    size = 16


class TicketMessageTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessageTopic

    customer = factory.SubFactory(CustomerFactory)
    message = factory.SubFactory(TicketMessageFactory, customer=factory.SelfAttribute("..customer"))
    topic = factory.SubFactory("tests.automation.factories.TopicFactory", customer=factory.SelfAttribute("..customer"))
