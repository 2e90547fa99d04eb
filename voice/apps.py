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
        from tickets.registry import register_message_fields, register_ticket_fields
        from voice import selectors
        from voice.services import phone_credentials_issue, say_handler

        register_action_type(ActionType.SAY, say_handler)
        phone_credentials_register(phone_credentials_issue)
        register_storage_source(StorageCategory.RECORDINGS, selectors.chunk_bytes)
        # A call's transcript status is part of its message's and its ticket's JSON, not only a column here.
        register_message_fields(names=selectors.TRANSCRIPT_FIELDS, load=selectors.transcript_fields_of_messages)
        register_ticket_fields(names=selectors.TRANSCRIPT_FIELDS, load=selectors.transcript_fields_of_tickets)
