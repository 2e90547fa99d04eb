from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Subscriptions and costs"

    def ready(self):
        from answerpal.events import Event, subscribe
        from billing import selectors, services
        from billing.tasks import storage_threshold_reached
        from customers.plans import PlanPort, plans_register

        subscribe(Event.STORAGE_THRESHOLD_REACHED, storage_threshold_reached)
        # customers (a lower floor) asks billing about plans through the port it owns.
        plans_register(
            PlanPort(
                plan_exists=selectors.plan_exists,
                subscribe=services.subscription_create,
                facts=selectors.subscription_plan_facts,
                levels=selectors.plan_levels,
            )
        )
