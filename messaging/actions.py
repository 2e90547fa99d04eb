"""The sending action types messaging plugs into automation's registry: ReplySend's send part and
Forward (to e-mail addresses or a WhatsApp number)."""

from answerpal.api.errors import ApiError
from automation.registry import ActionContext, ActionResult
from messaging import services
from tickets.models import TicketMessage


def _message(context: ActionContext) -> TicketMessage | None:
    return (
        TicketMessage.objects.select_related("ticket", "channel")
        .filter(pk=context.message_id, customer_id=context.customer_id)
        .first()
    )


def reply_send_action(*, context: ActionContext) -> ActionResult:
    """Sends the message's AI (or edited) answer to the end user through the outbox."""
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    try:
        outbound = services.message_reply_send(message=message, rep=None, modified_answer=None)
    except ApiError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    return ActionResult(
        message=f"Answer queued for sending (message {outbound.pk}).", details={"messageId": outbound.pk}
    )


def forward_action(*, context: ActionContext) -> ActionResult:
    """Forwards the message to the action's forwardRecipients and/or forwardPhoneNumber."""
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    action = context.action
    recipients = (getattr(action, "forward_recipients", "") or "").replace(";", ",")
    phone = getattr(action, "forward_phone_number", "") or ""
    if not recipients.strip() and not phone:
        return ActionResult.failed("The Forward action has neither forwardRecipients nor forwardPhoneNumber.")
    sent = []
    try:
        if recipients.strip():
            sent.append(services.message_forward_send(message=message, rep=None, to_address=recipients).pk)
        if phone:
            sent.append(services.message_forward_send(message=message, rep=None, to_number=phone).pk)
    except ApiError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    return ActionResult(message=f"Forward queued ({len(sent)} message(s)).", details={"messageIds": sent})
