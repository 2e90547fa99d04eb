from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import CustomerRep, PasswordResetToken, RepSignature
from answerpal.api.policies import Role
from tests.customers.factories import CustomerFactory


class CustomerRepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerRep
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    username = factory.Sequence(lambda n: f"rep{n}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda rep: f"{rep.username}@example.com")
    role = Role.REPRESENTATIVE
    password = factory.django.Password("Secret-pass-123")


class RepSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepSignature

    customer = factory.SubFactory(CustomerFactory)
    rep = factory.SubFactory(CustomerRepFactory, customer=factory.SelfAttribute("..customer"))
    lang = "en"
    email_signature_html = "<p>Kind regards</p>"
    email_signature_text = "Kind regards"


class PasswordResetTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PasswordResetToken

    rep = factory.SubFactory(CustomerRepFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=4))
