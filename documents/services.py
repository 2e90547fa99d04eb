"""Document writes: create, update (with custom-field requirement sync) and delete, one transaction each."""

from django.db import transaction

from documents.models import Document, DocumentCustomFieldRequirement


def _requirements_sync(*, document: Document, requirements: list[dict]) -> None:
    """Makes the document's requirements exactly `requirements` ({custom_field_definition, is_required})."""
    wanted = {item["custom_field_definition"].pk: item.get("is_required", True) for item in requirements}
    existing = {row.custom_field_definition_id: row for row in document.custom_field_requirements.all()}
    DocumentCustomFieldRequirement.objects.filter(document=document).exclude(
        custom_field_definition_id__in=wanted
    ).delete()
    for definition_id, is_required in wanted.items():
        row = existing.get(definition_id)
        if row is None:
            DocumentCustomFieldRequirement.objects.create(
                customer_id=document.customer_id,
                document=document,
                custom_field_definition_id=definition_id,
                is_required=is_required,
            )
        elif row.is_required != is_required:
            row.is_required = is_required
            row.save(update_fields=["is_required"])


@transaction.atomic
def document_create(*, customer_id: int, data: dict, requirements: list[dict] | None = None) -> Document:
    """Creates a document of the customer with its custom-field requirements."""
    document = Document.objects.create(customer_id=customer_id, **data)
    if requirements:
        _requirements_sync(document=document, requirements=requirements)
    return document


@transaction.atomic
def document_update(*, document: Document, data: dict, requirements: list[dict] | None = None) -> Document:
    """Updates fields; `requirements` None leaves them unchanged, [] clears them, a list replaces them."""
    for name, value in data.items():
        setattr(document, name, value)
    document.save()
    if requirements is not None:
        _requirements_sync(document=document, requirements=requirements)
    return document


@transaction.atomic
def document_delete(*, document: Document) -> None:
    """Deletes the document with its requirements and topic/hook links (cascade)."""
    document.delete()
