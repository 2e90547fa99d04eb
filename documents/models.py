"""Documents: prompt and knowledge content, realtime instructions, data-retrieval definitions and function tools."""

from django.db import models

from answerpal.fields import EncryptedTextField
from customers.models import AuthenticationType


class HttpMethod(models.TextChoices):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class Document(models.Model):
    """A tenant's document. Kind follows the flags: data retrieval (`is_data_retrieval_process`, calls the
    tenant's API through the connector), function tool (`is_function_tool`, a validated JSON schema),
    realtime instructions (`include_in_realtime_instructions`), otherwise static prompt content."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    content = models.TextField(blank=True)
    content_type = models.CharField(max_length=50, default="text/markdown")
    is_data_retrieval_process = models.BooleanField(default=False)
    include_in_realtime_instructions = models.BooleanField(default=False)
    creation_date = models.DateTimeField(auto_now_add=True)
    last_modified_date = models.DateTimeField(auto_now=True)

    override_api_base_url = models.URLField(max_length=500, blank=True)
    override_api_username = models.CharField(max_length=200, blank=True)
    override_api_password = EncryptedTextField(blank=True)
    override_api_token = EncryptedTextField(blank=True)
    override_api_authentication_type = models.CharField(max_length=16, choices=AuthenticationType.choices, blank=True)

    api_endpoint = models.CharField(max_length=1000, blank=True)
    api_method = models.CharField(max_length=8, choices=HttpMethod.choices, default=HttpMethod.GET)
    api_headers = models.TextField(blank=True, help_text="JSON object of header templates.")
    api_body_template = models.TextField(blank=True)
    field_mapping = models.TextField(blank=True, help_text="JSON list of {source, target} response mappings.")

    is_function_tool = models.BooleanField(default=False)
    function_parameters_schema = models.JSONField(null=True, blank=True)
    tool_call_timeout_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["customer", "name"])]

    def __str__(self):
        return self.name


class DocumentCustomFieldRequirement(models.Model):
    """A custom field a document needs filled; one row per (document, definition), same customer as both."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="custom_field_requirements")
    custom_field_definition = models.ForeignKey(
        "customers.CustomFieldDefinition", on_delete=models.CASCADE, related_name="document_requirements"
    )
    is_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "custom_field_definition"], name="document_custom_field_requirement_unique"
            )
        ]

    def __str__(self):
        return f"{self.document_id} needs {self.custom_field_definition_id}"
