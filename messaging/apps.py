from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from answerpal.events import Event, subscribe
        from automation.registry import register_action_type
        from channels_cfg.guards import register_channel_type_guard
        from messaging.actions import forward_action, reply_send_action
        from messaging.plan import channel_type_in_plan
        from messaging.tasks import channel_saved

        register_channel_type_guard(channel_type_in_plan)
        subscribe(Event.CHANNEL_SAVED, channel_saved)
        subscribe(Event.CHANNEL_DELETED, channel_saved)
        register_action_type("ReplySend", reply_send_action)
        register_action_type("Forward", forward_action)
