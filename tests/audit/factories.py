import factory

from audit.models import ActorKind, AuditAction, AuditEntry
from tests.accounts.factories import CustomerRepFactory
from tests.customers.factories import CustomerFactory


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    customer = factory.SubFactory(CustomerFactory)
    actor = factory.SubFactory(CustomerRepFactory, customer=factory.SelfAttribute("..customer"))
    actor_kind = ActorKind.REP
    action = AuditAction.TICKET_READ
    object_type = "Ticket"
    object_id = factory.Sequence(str)
    client_address = "203.0.113.5"
    request_id = factory.Sequence(lambda n: f"req-{n}")
