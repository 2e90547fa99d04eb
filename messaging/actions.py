"""The sending action types messaging plugs into automation's registry: ReplySend's send part and
Forward (to e-mail addresses or a WhatsApp number)."""

import re

from answerpal.api.errors import ApiError
from automation.registry import ActionContext, ActionResult, ActionStatus
from messaging import services
from tickets.models import TicketMessage


def _message(context: ActionContext) -> TicketMessage | None:
    return (
        TicketMessage.objects.select_related("ticket", "channel")
        .filter(pk=context.message_id, customer_id=context.customer_id)
        .first()
    )


_AUTOMATED_MAIL = re.compile(
    r"^(auto-submitted:\s*(?!no\b)\S+|precedence:\s*(bulk|junk|list|auto_reply)|x-autoreply:|x-autorespond:)",
    re.IGNORECASE | re.MULTILINE,
)


def is_automated_mail(headers: str) -> bool:
    """Out-of-office replies, bounces and list mail (RFC 3834 Auto-Submitted, Precedence, X-Autoreply)."""
    return bool(_AUTOMATED_MAIL.search(headers or ""))


def reply_send_action(*, context: ActionContext) -> ActionResult:
    """Sends the message's AI (or edited) answer to the end user through the outbox; automated mail
    (an out-of-office reply, a bounce) is never answered automatically, so two robots cannot loop, and what the
    answer policy refuses (tickets.answer_policy: escalated, taken or answered by a representative, spam, AI
    answers off, plan, not the end user's own conversation) is Skipped with the rule's name."""
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    if is_automated_mail(message.headers):
        return ActionResult(message="Automated mail is not answered automatically.", status=ActionStatus.SKIPPED)
    try:
        outbound = services.message_reply_send(message=message, rep=None, modified_answer=None, automated=True)
    except ApiError as error:
        if error.code == services.ANSWER_WITHHELD:
            return ActionResult(
                message=f"AI answer withheld by the answer policy: {error.detail}", status=ActionStatus.SKIPPED
            )
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
            sent.append(
                services.message_forward_send(message=message, rep=None, to_address=recipients, automated=True).pk
            )
        if phone:
            sent.append(services.message_forward_send(message=message, rep=None, to_number=phone, automated=True).pk)
    except ApiError as error:
        return ActionResult.failed(f"{error.code}: {error.detail}")
    return ActionResult(message=f"Forward queued ({len(sent)} message(s)).", details={"messageIds": sent})
