import factory

from billing.models import CostEntry, CostProvider, CustomerSubscription, StorageUsage, SubscriptionPlan
from billing.services import DEFAULT_PLANS


class SubscriptionPlanFactory(factory.django.DjangoModelFactory):
    """The `business` plan exactly as plans_ensure_default() creates it (every feature on, 10 users)."""

    class Meta:
        model = SubscriptionPlan
        django_get_or_create = ("code",)

    code = "business"
    plan_name = factory.LazyAttribute(lambda plan: DEFAULT_PLANS.get(plan.code, {}).get("plan_name", plan.code.title()))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return {**DEFAULT_PLANS.get(kwargs["code"], {}), **kwargs}


class CustomerSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerSubscription

    customer = factory.SubFactory("tests.customers.factories.CustomerFactory", subscription=False)
    plan = factory.SubFactory(SubscriptionPlanFactory)


class CostEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostEntry

    customer = factory.SubFactory("tests.customers.factories.CustomerFactory")
    provider = CostProvider.OPENAI
    model_name = "gpt-4o-mini"
    purpose = "email"
    input_tokens = 1000
    output_tokens = 500
    amount = factory.Faker("pydecimal", left_digits=1, right_digits=6, positive=True)


class StorageUsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageUsage

    customer = factory.SubFactory("tests.customers.factories.CustomerFactory")
    attachments_bytes = 1024
