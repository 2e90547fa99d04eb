from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "AI"

    def ready(self):
        from ai import actions, services
        from answerpal.events import Event, subscribe

        subscribe(Event.MESSAGE_RECEIVED, services.pipeline_enqueue)
        actions.register()
