import factory

from tests.customers.factories import CustomerFactory
from webhooks.models import WebhookEndpoint
from webhooks.signing import secret_generate


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    customer = factory.SubFactory(CustomerFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/answerpal")
    description = "CRM sync"
    enabled = True
    event_types = factory.LazyFunction(lambda: ["ticket.created", "message.received"])
    secret = factory.LazyFunction(secret_generate)
