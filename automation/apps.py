from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Automation"

    def ready(self):
        from answerpal.events import Event, subscribe
        from automation import events, services
        from automation.context import placeholder_values
        from automation.handlers import register_builtin_handlers
        from automation.message_detail import register_message_detail
        from documents.placeholders import register_placeholder_context
        from tickets.registry import register_bulk_action

        register_builtin_handlers()
        register_placeholder_context(placeholder_values)
        register_message_detail()
        register_bulk_action("executeActions", services.tickets_execute_actions)
        register_bulk_action("learnTopics", services.tickets_learn_topics)
        subscribe(Event.TICKET_CLOSED, events.on_ticket_closed)
        subscribe(Event.TICKET_ESCALATED, events.on_ticket_escalated)
        subscribe(Event.END_USER_ADDED, events.on_end_user_added)
        subscribe(Event.END_USER_UPDATED, events.on_end_user_updated)
        subscribe(Event.END_USER_DELETED, events.on_end_user_deleted)
