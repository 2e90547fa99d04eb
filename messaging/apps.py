from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from channels_cfg.guards import register_channel_type_guard
        from messaging.plan import channel_type_in_plan

        register_channel_type_guard(channel_type_in_plan)
