from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "voice"
    verbose_name = "Voice"

    def ready(self):
        from automation.models import ActionType
        from automation.registry import register_action_type
        from billing.models import StorageCategory
        from billing.storage import register_storage_source
        from customers.phone_credentials import phone_credentials_register
        from voice.selectors import chunk_bytes
        from voice.services import phone_credentials_issue, say_handler

        register_action_type(ActionType.SAY, say_handler)
        phone_credentials_register(phone_credentials_issue)
        register_storage_source(StorageCategory.RECORDINGS, chunk_bytes)
