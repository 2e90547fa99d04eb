"""Customer routes: the caller's own customer (settings, models, phone secrets) and custom field definitions."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from answerpal.api.policies import ManageSettings, PhoneAuthOnly, RepToken
from answerpal.api.viewsets import TenantApiView, TenantModelViewSet
from customers import services
from customers.api.serializers import (
    CustomerModelSerializer,
    CustomerReadSerializer,
    CustomerSecretsSerializer,
    CustomerUpdateSerializer,
    CustomFieldDefinitionSerializer,
)
from customers.models import CustomFieldDefinition
from customers.phone_credentials import phone_credentials_issue
from customers.selectors import customer_get, customer_models


class CustomerMeView(TenantApiView):
    """GET: the caller's customer (any representative); PUT: change settings (ManageSettings, 204)."""

    policies = {"put": ManageSettings}

    @extend_schema(responses=CustomerReadSerializer)
    def get(self, request):
        customer = customer_get(customer_id=self.customer_id)
        context = {"models": customer_models(customer=customer)}
        context["request"] = request  # secrets show their last four characters to Administrators only
        return Response(CustomerReadSerializer(customer, context=context).data)

    @extend_schema(request=CustomerUpdateSerializer, responses={204: None})
    def put(self, request):
        serializer = CustomerUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.customer_settings_update(customer_id=self.customer_id, changes=serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CustomerModelsView(TenantApiView):
    """Active global and own models plus inactive ones still selected as a default (not paged)."""

    @extend_schema(responses=CustomerModelSerializer(many=True))
    def get(self, request):
        customer = customer_get(customer_id=self.customer_id)
        return Response(CustomerModelSerializer(customer_models(customer=customer), many=True).data)


class CustomerSecretsView(TenantApiView):
    """Credentials for phone-auth flows only, and never the tenant's long-lived secrets: `openAIApiKey` is an OpenAI
    Realtime client secret (`ek_…`) minted for this call and `twilioAuthToken` a Twilio Voice access token (a JWT),
    each valid for PHONE_CREDENTIALS_TTL_SECONDS (see the `…ExpiresAt` fields) and audited. A channel whose
    Administrator has not opted it in to phone sign-in answers 403 PhoneLoginNotEnabled."""

    policy = PhoneAuthOnly

    @extend_schema(
        responses={
            200: CustomerSecretsSerializer,
            403: OpenApiResponse(description="PhoneLoginNotEnabled: the channel has not opted in to phone sign-in."),
        }
    )
    def get(self, request):
        credentials = phone_credentials_issue(customer_id=self.customer_id, channel_id=request.auth.channel_id)
        return Response(CustomerSecretsSerializer(credentials).data)


class CustomFieldDefinitionViewSet(TenantModelViewSet):
    """Custom field definitions: a plain array ordered by `order`; writes need ManageSettings."""

    queryset = CustomFieldDefinition.objects.order_by("order", "pk")
    serializer_class = CustomFieldDefinitionSerializer
    pagination_class = None

    policy = ManageSettings
    policies = dict.fromkeys(("list", "retrieve"), RepToken)

    def perform_create(self, serializer):
        serializer.instance = services.custom_field_create(customer_id=self.customer_id, **serializer.validated_data)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        definition = services.custom_field_update(definition=serializer.instance, changes=serializer.validated_data)
        return Response(self.get_serializer(definition).data)

    def perform_destroy(self, instance):
        services.custom_field_delete(definition=instance)
