import factory

from customers.models import AIModel, Customer, CustomFieldDefinition, CustomFieldType, ModelPurpose


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer on the `business` plan (every feature on, 10 users)."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")
    hostname = factory.Sequence(lambda n: f"customer{n}.answerpal.test")

    @factory.post_generation
    def subscription(customer, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        from tests.billing.factories import CustomerSubscriptionFactory

        CustomerSubscriptionFactory(customer=customer, **({"plan": extracted} if extracted else {}))


class AIModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AIModel

    customer = factory.SubFactory(CustomerFactory)
    model_name = factory.Sequence(lambda n: f"model-{n}")
    model_type = ModelPurpose.EMAIL


class CustomFieldDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition

    customer = factory.SubFactory(CustomerFactory)
    field_name = factory.Sequence(lambda n: f"field_{n}")
    field_type = CustomFieldType.TEXT
    display_name = factory.Sequence(lambda n: f"Field {n}")
