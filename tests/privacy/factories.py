import factory

from privacy.models import ErasureJob, ErasureState, RetentionRun
from tests.customers.factories import CustomerFactory


class ErasureJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ErasureJob

    customer = factory.SubFactory(CustomerFactory)
    end_user_id = factory.Sequence(lambda n: 90000 + n)
    state = ErasureState.DONE
    counts = factory.LazyFunction(lambda: {"tickets": 1})


class RetentionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetentionRun

    customer = factory.SubFactory(CustomerFactory)
    counts = factory.LazyFunction(lambda: {"closedTickets": 0})
