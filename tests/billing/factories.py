import factory

from billing.models import CustomerSubscription, SubscriptionPlan


class SubscriptionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubscriptionPlan
        django_get_or_create = ("code",)

    code = "business"
    plan_name = "Business"
    level = 30
    monthly_fee = 199
    max_users = 10
    storage_limit_gb = 50
    has_chat = True
    has_email = True
    has_phone = True
    has_multilingual_signatures = True
    has_fine_tuned_models = True
    has_api_calls = True
    has_schedules_of_condition = True


class CustomerSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerSubscription

    customer = factory.SubFactory("tests.customers.factories.CustomerFactory", subscription=False)
    plan = factory.SubFactory(SubscriptionPlanFactory)
