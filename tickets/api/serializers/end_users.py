"""End user and UID DTOs (EndUserReadDTO with UIDs; writes with UIDs; UID assignment)."""

from rest_framework import serializers

from answerpal.api.fields import TenantPrimaryKeyRelatedField
from tickets.api.serializers.base import NullAsBlankSerializer, SourceFieldsSerializer, source_attribute
from tickets.models import (
    CustomerType,
    EndUser,
    EndUserUID,
    UidType,
)


class EndUserUIDReadSerializer(SourceFieldsSerializer):
    """EndUserUIDReadDTO."""

    model = EndUserUID
    dto_fields = {"endUserUIDID": "id", "uid": "uid", "uidType": "uid_type", "isPrimary": "is_primary"}


class EndUserReadSerializer(SourceFieldsSerializer):
    """EndUserReadDTO; UIDs under both `uiDs` (front-end) and `uids` (current docs), the AI notes under
    both `aIDocumentation` (front-end) and `aiDocumentation` (current docs)."""

    model = EndUser
    dto_fields = {
        "endUserID": "id",
        "firstname": "firstname",
        "lastname": "lastname",
        "name": "name",
        "gender": "gender",
        "otherContactDetails": "other_contact_details",
        "customerRef": "customer_ref",
        "customerType": "customer_type",
        "country": "country",
        "lang": "lang",
        "company": "company",
        "street": "street",
        "houseNumber": "house_number",
        "postalCode": "postal_code",
        "city": "city",
        "aIDocumentation": "ai_documentation",
        "aiDocumentation": "ai_documentation",
    }
    uiDs = EndUserUIDReadSerializer(many=True, read_only=True)
    uids = EndUserUIDReadSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        """`instance` is an EndUser with prefetched UIDs, or a dict row (selectors.ticket_rows) with `uids`."""
        if isinstance(instance, dict):
            uids = instance["uids"]
            instance = {**instance, "name": " ".join(p for p in (instance["firstname"], instance["lastname"]) if p)}
        else:
            uids = instance.uids.all()
        data = super().to_representation(instance)
        uid_fields = EndUserUIDReadSerializer.dto_fields.items()
        data["uiDs"] = data["uids"] = [
            {name: source_attribute(row, source) for name, source in uid_fields} for row in uids
        ]
        return data


class EndUserUIDWriteSerializer(NullAsBlankSerializer):
    """EndUserUIDCreateDTO / EndUserUIDUpdateDTO (endUserUIDID null = new)."""

    endUserUIDID = serializers.IntegerField(source="id", required=False, allow_null=True)
    uidType = serializers.ChoiceField(source="uid_type", choices=UidType.choices, required=False, allow_blank=True)
    uid = serializers.CharField(max_length=320)
    isPrimary = serializers.BooleanField(source="is_primary", default=False)
    markAsDeleted = serializers.BooleanField(source="mark_as_deleted", default=False)


class EndUserWriteSerializer(NullAsBlankSerializer):
    """EndUserCreateDTO / EndUserUpdateDTO; accepts `uiDs` or `uids`, `aIDocumentation` or `aiDocumentation`."""

    firstname = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lastname = serializers.CharField(max_length=200, required=False, allow_blank=True)
    gender = serializers.BooleanField(required=False, allow_null=True)
    otherContactDetails = serializers.CharField(source="other_contact_details", required=False, allow_blank=True)
    customerRef = serializers.CharField(source="customer_ref", max_length=200, required=False, allow_blank=True)
    customerType = serializers.ChoiceField(
        source="customer_type", choices=[*CustomerType.values, ""], required=False, allow_null=True
    )
    country = serializers.CharField(max_length=64, required=False, allow_blank=True)
    lang = serializers.CharField(max_length=16, required=False, allow_blank=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    houseNumber = serializers.CharField(source="house_number", max_length=32, required=False, allow_blank=True)
    postalCode = serializers.CharField(source="postal_code", max_length=32, required=False, allow_blank=True)
    city = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aIDocumentation = serializers.CharField(source="ai_documentation", required=False, allow_blank=True)
    uiDs = EndUserUIDWriteSerializer(source="uids", many=True, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "copy"):
            data = data.copy()
            if "uids" in data and "uiDs" not in data:
                data["uiDs"] = data.pop("uids")
            if "aiDocumentation" in data and "aIDocumentation" not in data:
                data["aIDocumentation"] = data.pop("aiDocumentation")
        values = super().to_internal_value(data)
        if values.get("customer_type") is None:
            values.pop("customer_type", None)
        return values


class AssignUIDSerializer(serializers.Serializer):
    """AssignUIDRequest."""

    uid = serializers.CharField(max_length=320)
    endUserID = TenantPrimaryKeyRelatedField(source="end_user", queryset=EndUser.objects.all())
    uidType = serializers.ChoiceField(source="uid_type", choices=UidType.choices, required=False, allow_blank=True)
    isPrimary = serializers.BooleanField(source="is_primary", default=False)
