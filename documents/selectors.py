"""Document reads: lists with their requirements prefetched, and the stored bytes per customer."""

from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce, Length

from documents.models import Document, DocumentCustomFieldRequirement


def document_queryset():
    """Documents with requirements and their field definitions in one extra query."""
    return Document.objects.prefetch_related(
        Prefetch(
            "custom_field_requirements",
            queryset=DocumentCustomFieldRequirement.objects.select_related("custom_field_definition"),
        )
    )


def document_storage_bytes(customer_id: int) -> int:
    """Characters of document text stored for the customer (content, templates and schema are small)."""
    total = Document.objects.filter(customer_id=customer_id).aggregate(
        total=Coalesce(Sum(Length("content")), 0) + Coalesce(Sum(Length("api_body_template")), 0)
    )["total"]
    return int(total or 0)
