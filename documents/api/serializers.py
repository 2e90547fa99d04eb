"""Document DTOs (documents.md): JSON names as the spec, secrets masked, definitions validated."""

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from rest_framework import serializers

from answerpal.api.fields import LimitedJSONField, SecretField, TenantPrimaryKeyRelatedField, blank_nulls
from customers.models import AuthenticationType, CustomFieldDefinition
from documents.api_definition import DefinitionError, check_endpoint, parse_field_mapping, parse_headers
from documents.models import Document, HttpMethod


class CustomFieldRequirementSerializer(serializers.Serializer):
    documentCustomFieldRequirementID = serializers.IntegerField(source="id", read_only=True)
    customFieldDefinitionID = TenantPrimaryKeyRelatedField(
        source="custom_field_definition", queryset=CustomFieldDefinition.objects.all()
    )
    isRequired = serializers.BooleanField(source="is_required", default=True)
    fieldName = serializers.CharField(source="custom_field_definition.field_name", read_only=True)
    displayName = serializers.CharField(source="custom_field_definition.display_name", read_only=True)
    fieldType = serializers.CharField(source="custom_field_definition.field_type", read_only=True)
    description = serializers.CharField(source="custom_field_definition.description", read_only=True)


class CustomFieldDefinitionSerializer(serializers.Serializer):
    customFieldDefinitionID = serializers.IntegerField(source="id")
    fieldName = serializers.CharField(source="field_name")
    displayName = serializers.CharField(source="display_name")
    fieldType = serializers.CharField(source="field_type")
    description = serializers.CharField()
    options = LimitedJSONField()


def definition_validator(parser):
    """Adapts a documents.api_definition parser to a DRF field validator."""

    def validate(value):
        try:
            parser(value)
        except DefinitionError as error:
            raise serializers.ValidationError(str(error)) from error

    return validate


def field_mappings_or_empty(text: str) -> list[dict]:
    """The stored {source, target} mapping list, or [] when the stored text does not parse."""
    try:
        return parse_field_mapping(text)
    except DefinitionError:
        return []


def field_mapping_field(source: str) -> serializers.CharField:
    """A JSON {source, target} mapping list stored as text, checked on write."""
    return serializers.CharField(
        source=source,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        validators=[definition_validator(parse_field_mapping)],
    )


# The outbound HTTP connector settings Documents and Actions share (same JSON names and checks); a comment, not a
# docstring, so the schema components of the serializers built on it keep no inherited description.
class OutboundConnectorSerializer(serializers.Serializer):
    CONNECTOR_TEXT_SOURCES = (
        "override_api_base_url",
        "override_api_username",
        "override_api_password",
        "override_api_token",
        "override_api_authentication_type",
        "api_endpoint",
        "api_headers",
        "api_body_template",
        "field_mapping",
    )

    overrideApiBaseUrl = serializers.URLField(
        source="override_api_base_url", required=False, allow_blank=True, allow_null=True, default=""
    )
    overrideApiUsername = serializers.CharField(
        source="override_api_username", required=False, allow_blank=True, allow_null=True, default=""
    )
    overrideApiPassword = SecretField(source="override_api_password")
    overrideApiToken = SecretField(source="override_api_token")
    overrideApiAuthenticationType = serializers.ChoiceField(
        source="override_api_authentication_type",
        choices=AuthenticationType.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
    )
    apiEndpoint = serializers.CharField(
        source="api_endpoint",
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        max_length=1000,
        validators=[definition_validator(check_endpoint)],
    )
    apiHeaders = serializers.CharField(
        source="api_headers",
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
        validators=[definition_validator(parse_headers)],
    )
    apiBodyTemplate = serializers.CharField(
        source="api_body_template", required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False
    )
    fieldMapping = field_mapping_field("field_mapping")
    fieldMappings = serializers.SerializerMethodField()

    def get_fieldMappings(self, instance) -> list[dict]:
        return field_mappings_or_empty(instance.field_mapping)


class DocumentSerializer(OutboundConnectorSerializer, serializers.ModelSerializer):
    documentID = serializers.IntegerField(source="id", read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    content = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default="", trim_whitespace=False
    )
    contentType = serializers.CharField(source="content_type", required=False, max_length=50, default="text/markdown")
    isDataRetrievalProcess = serializers.BooleanField(source="is_data_retrieval_process", default=False)
    includeInRealtimeInstructions = serializers.BooleanField(source="include_in_realtime_instructions", default=False)
    creationDate = serializers.DateTimeField(source="creation_date", read_only=True)
    lastModifiedDate = serializers.DateTimeField(source="last_modified_date", read_only=True)
    apiMethod = serializers.ChoiceField(source="api_method", choices=HttpMethod.choices, default=HttpMethod.GET)
    isFunctionTool = serializers.BooleanField(source="is_function_tool", default=False)
    functionParametersSchema = LimitedJSONField(source="function_parameters_schema", required=False, allow_null=True)
    toolCallTimeoutSeconds = serializers.IntegerField(
        source="tool_call_timeout_seconds", required=False, allow_null=True, min_value=1, max_value=120
    )
    customFieldDefinitions = serializers.SerializerMethodField()
    customFieldRequirements = CustomFieldRequirementSerializer(
        source="custom_field_requirements", many=True, required=False, allow_null=True
    )

    class Meta:
        model = Document
        fields = [
            "documentID",
            "customerID",
            "name",
            "description",
            "content",
            "contentType",
            "isDataRetrievalProcess",
            "includeInRealtimeInstructions",
            "creationDate",
            "lastModifiedDate",
            "overrideApiBaseUrl",
            "overrideApiUsername",
            "overrideApiPassword",
            "overrideApiToken",
            "overrideApiAuthenticationType",
            "apiEndpoint",
            "apiMethod",
            "apiHeaders",
            "apiBodyTemplate",
            "fieldMapping",
            "fieldMappings",
            "isFunctionTool",
            "functionParametersSchema",
            "toolCallTimeoutSeconds",
            "customFieldDefinitions",
            "customFieldRequirements",
        ]

    def get_customFieldDefinitions(self, document) -> list[dict]:
        definitions = [row.custom_field_definition for row in document.custom_field_requirements.all()]
        return CustomFieldDefinitionSerializer(definitions, many=True).data

    def validate_customFieldRequirements(self, value):
        if value is None:
            return None
        seen = set()
        for item in value:
            definition_id = item["custom_field_definition"].pk
            if definition_id in seen:
                raise serializers.ValidationError(f"Custom field {definition_id} is listed twice.")
            seen.add(definition_id)
        return value

    def validate(self, attrs):
        blank_nulls(attrs, ("description", "content", *self.CONNECTOR_TEXT_SOURCES))
        merged = {**self._current_values(), **attrs}
        if merged.get("is_data_retrieval_process") and not merged.get("api_endpoint"):
            raise serializers.ValidationError({"apiEndpoint": ["A data-retrieval document needs an apiEndpoint."]})
        if merged.get("is_function_tool"):
            schema = merged.get("function_parameters_schema")
            if not isinstance(schema, dict):
                raise serializers.ValidationError(
                    {"functionParametersSchema": ["A function tool needs a JSON schema object for its parameters."]}
                )
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as error:
                raise serializers.ValidationError(
                    {"functionParametersSchema": [f"Not a valid JSON schema: {error.message}"]}
                ) from error
            if schema.get("type") != "object":
                raise serializers.ValidationError(
                    {"functionParametersSchema": ['Function parameters must be a schema of "type": "object".']}
                )
        return attrs

    def _current_values(self) -> dict:
        if self.instance is None:
            return {}
        return {
            "is_data_retrieval_process": self.instance.is_data_retrieval_process,
            "api_endpoint": self.instance.api_endpoint,
            "is_function_tool": self.instance.is_function_tool,
            "function_parameters_schema": self.instance.function_parameters_schema,
        }


class DocumentConvertSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


class MarkdownSerializer(serializers.Serializer):
    markdown = serializers.CharField()
