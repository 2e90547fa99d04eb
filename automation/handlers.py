"""Built-in action types: Close, Delete, DeleteAfterCleanup, MarkSpam, NotSpam, ApiCall, Wait.

Each handler changes tickets and messages only through tickets.services; registered in AutomationConfig.ready().
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from automation.connector import ConnectorError, connector_call, definition_for, response_values
from automation.context import message_context, message_for_context
from automation.models import ActionType, ScheduledTicketDeletion
from automation.registry import ActionContext, ActionResult, ActionStatus, register_action_type
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessage, TicketStatus


def _ticket(context: ActionContext) -> Ticket:
    return Ticket.objects.get(customer_id=context.customer_id, messages__pk=context.message_id)


def close_handler(*, context: ActionContext) -> ActionResult:
    ticket = _ticket(context)
    if ticket.status == TicketStatus.CLOSED:
        return ActionResult(message="The ticket was already closed.")
    ticket_services.ticket_close(ticket=ticket)
    return ActionResult(message="Ticket closed.")


def delete_handler(*, context: ActionContext) -> ActionResult:
    ticket = _ticket(context)
    ticket_services.ticket_delete(ticket=ticket)
    return ActionResult(message=f"Ticket {ticket.pk} deleted permanently.", stop_chain=True)


def delete_after_cleanup_handler(*, context: ActionContext) -> ActionResult:
    ticket = _ticket(context)
    days = settings.AUTOMATION_CLEANUP_DAYS
    delete_after = timezone.now() + timedelta(days=days)
    ScheduledTicketDeletion.objects.update_or_create(
        ticket=ticket, defaults={"customer_id": ticket.customer_id, "delete_after": delete_after}
    )
    return ActionResult(message=f"Ticket marked for deletion after {delete_after:%Y-%m-%d} ({days} days).")


def _spam_decide(context: ActionContext, *, is_spam: bool) -> None:
    """The ticket and the message both carry the decision: the AI pipeline keeps a message's decision."""
    ticket = _ticket(context)
    changes = {"is_spam": True, "status": TicketStatus.CLOSED} if is_spam else {"is_spam": False}
    ticket_services.ticket_update(ticket=ticket, changes=changes)
    message = TicketMessage.objects.get(customer_id=context.customer_id, pk=context.message_id)
    ticket_services.message_update(message=message, changes={"is_spam_ai": is_spam})


def mark_spam_handler(*, context: ActionContext) -> ActionResult:
    _spam_decide(context, is_spam=True)
    return ActionResult(message="Marked as spam and closed.")


def not_spam_handler(*, context: ActionContext) -> ActionResult:
    _spam_decide(context, is_spam=False)
    return ActionResult(message="Marked as not spam.")


def wait_handler(*, context: ActionContext) -> ActionResult:
    seconds = context.action.wait_seconds
    if seconds <= 0:
        return ActionResult(message="No wait configured.")
    return ActionResult(
        message=f"Waiting {seconds} seconds.", finished=False, status=ActionStatus.WAITING, resume_after_seconds=seconds
    )


def api_call_handler(*, context: ActionContext) -> ActionResult:
    """Calls the action's endpoint; maps response fields into the message's custom fields."""
    action = context.action
    message = message_for_context(customer_id=context.customer_id, message_id=context.message_id)
    definition = definition_for(action, action.customer, request_mapping=action.field_mapping)
    try:
        response = connector_call(
            definition=definition,
            context=message_context(message),
            customer_id=context.customer_id,
            action_id=action.pk,
            message_id=message.pk,
        )
    except ConnectorError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    if not response.ok:
        return ActionResult.failed(f"The API answered HTTP {response.status_code}.")
    try:
        values = response_values(response.data, action.response_field_mapping)
    except ConnectorError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    if values:
        fields = {**(message.custom_fields_data or {}), **values}
        ticket_services.message_update(message=message, changes={"custom_fields_data": fields})
    mapped = f"; set {', '.join(sorted(values))}" if values else ""
    return ActionResult(message=f"HTTP {response.status_code} in {response.duration_ms} ms{mapped}.")


BUILTIN_HANDLERS = {
    ActionType.CLOSE: close_handler,
    ActionType.DELETE: delete_handler,
    ActionType.DELETE_AFTER_CLEANUP: delete_after_cleanup_handler,
    ActionType.MARK_SPAM: mark_spam_handler,
    ActionType.NOT_SPAM: not_spam_handler,
    ActionType.API_CALL: api_call_handler,
    ActionType.WAIT: wait_handler,
}


def register_builtin_handlers() -> None:
    for action_type, handler in BUILTIN_HANDLERS.items():
        register_action_type(action_type, handler)
