from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Subscriptions and costs"

    def ready(self):
        from answerpal.events import Event, subscribe
        from billing.tasks import storage_threshold_reached

        subscribe(Event.STORAGE_THRESHOLD_REACHED, storage_threshold_reached)
