"""DTOs of the Auth and CustomerReps routes, with the JSON names of the spec."""

from rest_framework import serializers

from accounts.models import CustomerRep, RepSignature
from accounts.services import RepProfile
from answerpal.api.policies import Role


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class LoginSerializer(serializers.Serializer):
    """LoginModel."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    hostname = serializers.CharField(max_length=253)


class PhoneLoginSerializer(serializers.Serializer):
    """PhoneLoginModel."""

    phoneNumber = serializers.CharField(max_length=32)
    accountSid = serializers.CharField(max_length=64)
    deviceSecret = serializers.CharField(
        max_length=256,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The channel's device secret, set by an Administrator (POST /api/Channels/{id}/phone-login-secret).",
    )


class DeviceSecretSerializer(serializers.Serializer):
    """The new device secret of a phone channel, shown once: the device sends it as deviceSecret to phone-login."""

    channelID = serializers.IntegerField(read_only=True)
    phoneNumber = serializers.CharField(read_only=True)
    deviceSecret = serializers.CharField(read_only=True)


class ImpersonateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    customerID = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=1000, help_text="Why the operator acts as this customer (audited).")


class PasswordResetRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    hostname = serializers.CharField(max_length=253)


class PasswordResetSerializer(serializers.Serializer):
    token = serializers.UUIDField()
    newPassword = serializers.CharField(max_length=256, trim_whitespace=False)


class CustomerRepReadSerializer(serializers.ModelSerializer):
    """CustomerRepReadDTO plus role and isActive."""

    customerRepID = serializers.IntegerField(source="id", read_only=True)
    phoneNumber = serializers.CharField(source="phone_number", read_only=True)
    otherDetails = serializers.CharField(source="other_details", read_only=True)
    emailSignatureHTML = serializers.CharField(source="email_signature_html", read_only=True)
    emailSignatureText = serializers.CharField(source="email_signature_text", read_only=True)
    isActive = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = CustomerRep
        fields = [
            "customerRepID",
            "username",
            "name",
            "email",
            "phoneNumber",
            "otherDetails",
            "emailSignatureHTML",
            "emailSignatureText",
            "role",
            "isActive",
        ]
        read_only_fields = fields


class _ProfileFields(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    phoneNumber = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    otherDetails = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    emailSignatureHTML = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    emailSignatureText = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    def profile(self) -> RepProfile:
        data = self.validated_data
        return RepProfile(
            name=data["name"],
            email=data["email"],
            phone_number=data.get("phoneNumber") or "",
            other_details=data.get("otherDetails") or "",
            email_signature_html=data.get("emailSignatureHTML") or "",
            email_signature_text=data.get("emailSignatureText") or "",
        )


class CustomerRepCreateSerializer(_ProfileFields):
    """CustomerRepCreateDTO plus role, isActive and (first-user bootstrap only) hostname."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    isActive = serializers.BooleanField(required=False, default=True)
    hostname = serializers.CharField(
        max_length=253, required=False, help_text="First-user bootstrap only: the customer's hostname."
    )


class CustomerRepUpdateSerializer(_ProfileFields):
    """CustomerRepUpdateDTO plus role; customerRepID, when sent, must name the rep of the path."""

    customerRepID = serializers.IntegerField(required=False)


class ChangePasswordSerializer(serializers.Serializer):
    """`{customerRepID?, currentPassword?, newPassword}`; currentPassword is required for one's own."""

    customerRepID = serializers.IntegerField(required=False)
    currentPassword = serializers.CharField(max_length=256, required=False, trim_whitespace=False)
    newPassword = serializers.CharField(max_length=256, trim_whitespace=False)


class RepSignatureSerializer(serializers.ModelSerializer):
    """CustomerRepSignature; POST upserts by `lang`."""

    customerRepSignatureID = serializers.IntegerField(source="id", read_only=True)
    customerRepID = serializers.IntegerField(source="rep_id", read_only=True)
    lang = serializers.CharField(max_length=16)
    emailSignatureHTML = serializers.CharField(
        source="email_signature_html", required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )
    emailSignatureText = serializers.CharField(
        source="email_signature_text", required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )

    class Meta:
        model = RepSignature
        fields = ["customerRepSignatureID", "customerRepID", "lang", "emailSignatureHTML", "emailSignatureText"]

    def validate_lang(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("lang must name a language, e.g. 'en' or 'nl-BE'.")
        return value
