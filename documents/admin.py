"""Operator admin for documents and their custom-field requirements."""

from django.contrib import admin

from documents.models import Document, DocumentCustomFieldRequirement


class DocumentCustomFieldRequirementInline(admin.TabularInline):
    model = DocumentCustomFieldRequirement
    extra = 0
    raw_id_fields = ["custom_field_definition", "customer"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "customer",
        "is_data_retrieval_process",
        "is_function_tool",
        "include_in_realtime_instructions",
        "last_modified_date",
    ]
    list_select_related = ["customer"]
    list_filter = ["customer", "is_data_retrieval_process", "is_function_tool", "include_in_realtime_instructions"]
    search_fields = ["name", "description", "customer__name"]
    raw_id_fields = ["customer"]
    readonly_fields = ["creation_date", "last_modified_date"]
    exclude = ["override_api_password", "override_api_token"]
    inlines = [DocumentCustomFieldRequirementInline]


@admin.register(DocumentCustomFieldRequirement)
class DocumentCustomFieldRequirementAdmin(admin.ModelAdmin):
    list_display = ["document", "custom_field_definition", "is_required", "customer"]
    list_select_related = ["document", "custom_field_definition", "customer"]
    list_filter = ["customer", "is_required"]
    search_fields = ["document__name", "custom_field_definition__field_name"]
    raw_id_fields = ["customer", "document", "custom_field_definition"]
