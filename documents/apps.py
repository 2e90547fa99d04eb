from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        from billing.models import StorageCategory
        from billing.storage import register_storage_source
        from documents.selectors import document_storage_bytes

        register_storage_source(StorageCategory.DOCUMENTS, document_storage_bytes)
