from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Conversations"

    def ready(self):
        from billing.models import StorageCategory
        from billing.storage import register_storage_source
        from tickets.selectors import attachment_bytes

        register_storage_source(StorageCategory.ATTACHMENTS, attachment_bytes)
