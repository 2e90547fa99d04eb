"""Domain events → live events on the ticket's key (answerpal.live), for the widget's stream: the visitor's and
the representatives' lines (MessageReceived / MessageSent), the AI's answer (AIReplyDrafted: sent to the visitor
when the answer policy allows it, else an `ai.status` Held telling the widget that no AI answer comes) and
escalation (OnEscalate). Handlers run after commit, so every line they announce is readable by a client that
reloads."""

from answerpal import live
from webwidget import selectors, services


def message_announce(*, message_id: int, customer_id: int) -> None:
    message = selectors.chat_message_for_live(message_id=message_id)
    if message is not None:
        live.publish(live.ticket_key(message.ticket_id), {"type": "message", "line": selectors.chat_line(message)})


def ai_reply_deliver(*, message_id: int, customer_id: int) -> None:
    if services.ai_answer_send(message_id=message_id, customer_id=customer_id) is not None:
        return
    message = selectors.chat_message_for_live(message_id=message_id)
    if message is not None:
        live.publish(live.ticket_key(message.ticket_id), {"type": "ai.status", "replyTo": message_id, "status": "Held"})


def ticket_announce(*, customer_id: int, ticket_id: int) -> None:
    ticket = selectors.chat_ticket_for_live(ticket_id=ticket_id)
    if ticket is not None:
        live.publish(
            live.ticket_key(ticket.pk), {"type": "ticket", "escalated": ticket.escalated, "status": ticket.status}
        )
