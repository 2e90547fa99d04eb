import factory
from django.utils import timezone

from tests.accounts.factories import CustomerRepFactory
from tests.customers.factories import CustomerFactory
from voice.models import CallDirection, PhoneCall, RealtimeSession, VoiceAgent, VoiceSettings


class VoiceSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoiceSettings

    customer = factory.SubFactory(CustomerFactory)
    twiml_app_sid = "AP" + "a" * 32


class PhoneCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneCall

    customer = factory.SubFactory(CustomerFactory)
    call_sid = factory.Sequence(lambda n: f"CA{n:032x}")
    direction = CallDirection.OUTBOUND
    from_number = "+3225550100"
    to_number = "+32470123456"
    status = "completed"


class VoiceAgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoiceAgent

    customer = factory.SubFactory(CustomerFactory)
    rep = factory.SubFactory(CustomerRepFactory, customer=factory.SelfAttribute("..customer"))
    identity = factory.LazyAttribute(lambda agent: f"c{agent.customer.pk}-r{agent.rep.pk}")
    available_until = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=1))


class RealtimeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RealtimeSession

    customer = factory.SubFactory(CustomerFactory)
    call_id = factory.Sequence(lambda n: f"rtc_{n:08d}")
    model_name = "gpt-realtime"
