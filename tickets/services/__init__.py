"""Writes of the conversation store, one module per concern (end_users, counters, tickets, messages,
topics, attachments, columns). Every function runs in one transaction and keeps the ticket counters
(`TicketCounter`), `last_message_at`/`preview` and the status lifecycle consistent.

Other apps create and change tickets and messages only through these functions, imported from here
(`from tickets import services`)."""

from tickets.services.attachments import attachment_content_type, attachment_delete, attachment_store
from tickets.services.columns import (
    message_ai_steps_fail,
    message_ai_steps_pend,
    message_columns_update,
    message_mark_failed,
    message_mark_queued,
    message_topics_detected_replace,
    ticket_summary_store,
)
from tickets.services.counters import ticket_counters_rebuild
from tickets.services.end_users import (
    END_USER_PROFILE_FIELDS,
    end_user_create,
    end_user_delete,
    end_user_find_or_create,
    end_user_uid_assign,
    end_user_update,
    phone_normalize,
    uid_normalize,
)
from tickets.services.messages import (
    MESSAGE_FIELDS,
    PREVIEW_LENGTH,
    message_create,
    message_delete,
    message_escalate,
    message_feedback,
    message_mark_opened,
    message_mark_sent,
    message_update,
    ticket_answer_rate,
    ticket_end_user_escalate,
    ticket_escalate,
)
from tickets.services.tickets import (
    BULK_BUILTIN_ACTIONS,
    TICKET_EDITABLE_FIELDS,
    chat_ticket_create,
    ticket_assign,
    ticket_close,
    ticket_create,
    ticket_delete,
    ticket_legal_hold_set,
    ticket_reopen,
    ticket_update,
    tickets_bulk_update,
)
from tickets.services.topics import message_topic_add, message_topic_remove, message_topics_correct

__all__ = [
    "BULK_BUILTIN_ACTIONS",
    "END_USER_PROFILE_FIELDS",
    "MESSAGE_FIELDS",
    "PREVIEW_LENGTH",
    "TICKET_EDITABLE_FIELDS",
    "attachment_content_type",
    "attachment_delete",
    "attachment_store",
    "chat_ticket_create",
    "end_user_create",
    "end_user_delete",
    "end_user_find_or_create",
    "end_user_uid_assign",
    "end_user_update",
    "message_ai_steps_fail",
    "message_ai_steps_pend",
    "message_columns_update",
    "message_create",
    "message_delete",
    "message_escalate",
    "message_feedback",
    "message_mark_failed",
    "message_mark_opened",
    "message_mark_queued",
    "message_mark_sent",
    "message_topic_add",
    "message_topic_remove",
    "message_topics_correct",
    "message_topics_detected_replace",
    "message_update",
    "phone_normalize",
    "ticket_answer_rate",
    "ticket_assign",
    "ticket_close",
    "ticket_counters_rebuild",
    "ticket_create",
    "ticket_delete",
    "ticket_end_user_escalate",
    "ticket_escalate",
    "ticket_legal_hold_set",
    "ticket_reopen",
    "ticket_summary_store",
    "ticket_update",
    "tickets_bulk_update",
    "uid_normalize",
]
