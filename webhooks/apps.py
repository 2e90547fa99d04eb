from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from answerpal.events import subscribe
        from webhooks.catalogue import EVENT_TYPES
        from webhooks.services import bus_handler

        for bus_event in {event_type.bus_event for event_type in EVENT_TYPES.values()}:
            subscribe(bus_event, bus_handler(bus_event))
