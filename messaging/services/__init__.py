"""Writes of the transports, one module per concern; reads are in `messaging.selectors`.

- `inbound_mail`: Graph and IMAP mail into tickets exactly once (a receipt per Internet-Message-Id);
- `graph_subscriptions`: Graph change-notification subscriptions and their notifications;
- `diagnostics`: connection tests and live mailbox folders;
- `whatsapp_inbound`: WhatsApp messages and media through Twilio into tickets exactly once;
- `webchat`: an end user's chat line into its ticket;
- `outbound`: the send routes (reply, draft, forward) store the message and its outbox row together;
- `outbox`: exactly-once delivery under a lease, backoff, retries and the sweeper.

Callers use `from messaging import services` and the names below."""

from answerpal.outbox import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    outbox_backoff,
    outbox_lease,
    outbox_queued_grace,
    worker_identity,
)
from messaging.services.diagnostics import ConnectionReport, connection_test, mailbox_folders_live
from messaging.services.graph_subscriptions import (
    SUBSCRIPTION_MINUTES,
    graph_notification_url,
    graph_notifications_accept,
    graph_subscription_renew,
    graph_subscriptions_sync,
)
from messaging.services.inbound_mail import (
    PROVIDER_MAIL,
    InboundMail,
    channel_default_folder,
    first_import_since,
    folder_import,
    graph_folder_import,
    graph_mail_parse,
    imap_folder_import,
    import_preflight,
    mail_import,
    mail_imports_queue,
    rfc822_mail_parse,
)
from messaging.services.outbound import (
    ANSWER_WITHHELD,
    message_draft_send,
    message_forward_send,
    message_reply_send,
)
from messaging.services.outbox import (
    PermanentFailure,
    outbox_claim,
    outbox_deliver,
    outbox_retry,
    outbox_stuck_ids,
    whatsapp_status_record,
)
from messaging.services.webchat import webchat_post
from messaging.services.whatsapp_inbound import PROVIDER_TWILIO, whatsapp_inbound, whatsapp_media_fetch

__all__ = [
    "ANSWER_WITHHELD",
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_CAP_SECONDS",
    "PROVIDER_MAIL",
    "PROVIDER_TWILIO",
    "SUBSCRIPTION_MINUTES",
    "ConnectionReport",
    "InboundMail",
    "PermanentFailure",
    "channel_default_folder",
    "connection_test",
    "first_import_since",
    "folder_import",
    "graph_folder_import",
    "graph_mail_parse",
    "graph_notification_url",
    "graph_notifications_accept",
    "graph_subscription_renew",
    "graph_subscriptions_sync",
    "imap_folder_import",
    "import_preflight",
    "mail_import",
    "mail_imports_queue",
    "mailbox_folders_live",
    "message_draft_send",
    "message_forward_send",
    "message_reply_send",
    "outbox_backoff",
    "outbox_claim",
    "outbox_deliver",
    "outbox_lease",
    "outbox_queued_grace",
    "outbox_retry",
    "outbox_stuck_ids",
    "rfc822_mail_parse",
    "webchat_post",
    "whatsapp_inbound",
    "whatsapp_media_fetch",
    "whatsapp_status_record",
    "worker_identity",
]
