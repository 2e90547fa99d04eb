import factory

from documents.models import Document, DocumentCustomFieldRequirement
from tests.customers.factories import CustomerFactory, CustomFieldDefinitionFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Document {n}")
    description = "Knowledge"
    content = "Opening hours: 9-17."


class DocumentCustomFieldRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentCustomFieldRequirement

    customer = factory.SubFactory(CustomerFactory)
    document = factory.SubFactory(DocumentFactory, customer=factory.SelfAttribute("..customer"))
    custom_field_definition = factory.SubFactory(
        CustomFieldDefinitionFactory, customer=factory.SelfAttribute("..customer")
    )
    is_required = True
