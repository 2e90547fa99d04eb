import pytest

from answerpal.api.errors import ApiError
from customers.models import CustomFieldType
from customers.selectors import custom_fields_validate
from tests.customers.factories import CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(customer):
    CustomFieldDefinitionFactory(customer=customer, field_name="orderRef", field_type=CustomFieldType.TEXT)
    CustomFieldDefinitionFactory(customer=customer, field_name="amount", field_type=CustomFieldType.NUMBER)
    CustomFieldDefinitionFactory(customer=customer, field_name="moveIn", field_type=CustomFieldType.DATE)
    CustomFieldDefinitionFactory(
        customer=customer, field_name="kind", field_type=CustomFieldType.DROPDOWN, options=["Flat", "House"]
    )


def test_valid_values_are_normalised(customer, definitions, django_assert_num_queries):
    with django_assert_num_queries(1):
        cleaned = custom_fields_validate(
            customer_id=customer.pk,
            data={"orderRef": "A-1", "amount": "12.50", "moveIn": "2026-02-01", "kind": "Flat"},
        )
    assert cleaned == {"orderRef": "A-1", "amount": 12.5, "moveIn": "2026-02-01", "kind": "Flat"}
    assert custom_fields_validate(customer_id=customer.pk, data={"amount": 3, "kind": None}) == {
        "amount": 3,
        "kind": None,
    }
    assert custom_fields_validate(customer_id=customer.pk, data=None) == {}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"nope": "x"}, "customFieldsData.nope"),
        ({"amount": "twelve"}, "customFieldsData.amount"),
        ({"amount": True}, "customFieldsData.amount"),
        ({"moveIn": "01/02/2026"}, "customFieldsData.moveIn"),
        ({"moveIn": "2026-02-30"}, "customFieldsData.moveIn"),
        ({"kind": "Castle"}, "customFieldsData.kind"),
        ({"orderRef": 5}, "customFieldsData.orderRef"),
        (["not", "a", "map"], "customFieldsData"),
    ],
)
def test_invalid_values_name_the_key(customer, definitions, data, key):
    with pytest.raises(ApiError) as raised:
        custom_fields_validate(customer_id=customer.pk, data=data)
    assert raised.value.status_code == 400 and raised.value.code == "InvalidCustomFields"
    assert list(raised.value.errors) == [key]


def test_another_customers_definitions_do_not_apply(customer, other_customer, definitions):
    CustomFieldDefinitionFactory(customer=other_customer, field_name="foreign")
    with pytest.raises(ApiError):
        custom_fields_validate(customer_id=customer.pk, data={"foreign": "x"})
