"""Reads of the web chat widget: a channel's widget settings and UI texts, and the conversation's lines as the
visitor sees them (each marked visitor / ai / rep)."""

from django.db.models import prefetch_related_objects

from channels_cfg.models import Channel, ChannelType
from channels_cfg.selectors import channel_translation_for
from tickets.models import SenderType, Ticket, TicketMessage
from tickets.selectors import attachment_download_path, chat_lines_after
from webwidget import hours
from webwidget.models import ChatWidget

# The widget's UI texts (English); a channel's translations (ChannelTranslation rows, same keys) override them
# for the visitor's language, with channels_cfg's fallback (exact → base language → default row).
DEFAULT_TEXTS = {
    "title": "Chat with us",
    "launcher": "Open the chat",
    "close": "Close the chat",
    "intro": "Ask us anything: our assistant answers at once, and a person can take over.",
    "placeholder": "Type your question…",
    "send": "Send",
    "attach": "Attach a file",
    "prechatIntro": "Before we start: who are you?",
    "name": "Name",
    "email": "E-mail",
    "start": "Start the chat",
    "you": "You",
    "ai": "AI assistant",
    "rep": "Support",
    "like": "Helpful",
    "dislike": "Not helpful",
    "feedbackThanks": "Thank you for your feedback.",
    "escalate": "Talk to a person",
    "escalated": "A person will take over this conversation.",
    "typing": "The assistant is writing…",
    "reconnecting": "Connection lost, reconnecting…",
    "notAllowed": "The chat is not available on this website.",
    "error": "Something went wrong. Please try again.",
    "fileTooLarge": "This file is too large.",
    "away": "We are away right now. A person will answer from {next}.",
    "awayUnknown": "We are away right now. A person will answer as soon as possible.",
    "repTyping": "{name} is typing…",
    "newConversation": "New conversation",
    "unread": "{count} new messages",
    "consentLink": "Privacy notice",
    "consent": "",
}


def widget_settings(*, channel) -> ChatWidget:
    """The channel's widget row, or an unsaved one with the defaults."""
    return ChatWidget.objects.filter(channel=channel).first() or ChatWidget(
        customer_id=channel.customer_id, channel=channel
    )


def ai_answers_on(*, channel) -> bool:
    """The chat channel's "AI answers" switch (registered in tickets.answer_policy, which every path obeys)."""
    return widget_settings(channel=channel).ai_answers


def widget_texts(*, channel, lang: str, widget: ChatWidget | None = None) -> tuple[str, dict]:
    """(language served, texts): the defaults, then the tenant's own away and consent texts (widget settings),
    overlaid with the channel's best translation for `lang` (keys `away`, `consent`, … translate them)."""
    texts = dict(DEFAULT_TEXTS)
    widget = widget or widget_settings(channel=channel)
    if widget.away_message:
        texts["away"] = texts["awayUnknown"] = widget.away_message
    if widget.consent_text:
        texts["consent"] = widget.consent_text
    translation = channel_translation_for(channel=channel, lang=lang)
    if translation is None:
        return "en", texts
    texts.update(
        {key: value for key, value in translation.translations.items() if key in texts and isinstance(value, str)}
    )
    return translation.lang, texts


def widget_hours(*, widget: ChatWidget, now=None) -> hours.HoursStatus:
    """The widget's business hours now (open, next opening)."""
    return hours.hours_status(
        intervals=widget.business_hours or [], holidays=widget.holidays or [], time_zone=widget.time_zone, now=now
    )


def away_line(*, channel, lang: str, now=None, widget: ChatWidget | None = None, texts: dict | None = None) -> str:
    """The away text when the channel's hours are closed now ("" while open or without hours), with `{next}` =
    when people answer next ("Monday 09:00 (Europe/Brussels)", weekday names in the visitor's language)."""
    widget = widget or widget_settings(channel=channel)
    status = widget_hours(widget=widget, now=now)
    if status.open:
        return ""
    if texts is None:
        lang, texts = widget_texts(channel=channel, lang=lang, widget=widget)
    if status.next_open is None:
        return texts["awayUnknown"].replace("{next}", "").strip()
    when = f"{hours.next_open_words(status.next_open, lang=lang, now=now)} ({status.time_zone})"
    return texts["away"].replace("{next}", when)


def line_kind(message: TicketMessage) -> str:
    """visitor (the end user), ai (the AI's answer, sent by the platform) or rep (a representative)."""
    if message.sender_type == SenderType.END_USER:
        return "visitor"
    return "ai" if message.sender_type == SenderType.SYSTEM else "rep"


def line_text(message: TicketMessage) -> str:
    """The line's text exactly as written: the widget renders it as text (never as HTML), so nothing is stripped. A
    representative's chat reply stored before chat replies were kept verbatim has its text in `html_body` (the
    tag-stripped copy lost "<Ctrl>" and kept script bodies): that original is shown."""
    if message.sender_type == SenderType.CUSTOMER_REP and message.html_body:
        return message.html_body
    return message.message or message.text_body


def chat_line(message: TicketMessage) -> dict:
    """One line of the conversation as the widget shows it (`customer_rep` selected and `attachments` prefetched
    by the caller: see chat_lines)."""
    return {
        "messageID": message.pk,
        "kind": line_kind(message),
        "senderType": message.sender_type,
        "message": line_text(message),
        "customerRepName": message.customer_rep.name if message.customer_rep_id else None,
        "isLiked": message.is_liked,
        "replyTo": message.reply_to_message_id,
        "dateCreated": message.created_at.isoformat(),
        "attachments": [
            {
                "fileName": attachment.file_name,
                "contentType": attachment.content_type,
                "size": attachment.size,
                "url": attachment_download_path(attachment),
            }
            for attachment in message.attachments.all()
        ],
    }


def chat_lines(*, ticket: Ticket, after: int) -> list[dict]:
    """The conversation's lines after message `after` as the widget shows them; two queries whatever their number."""
    messages = chat_lines_after(ticket=ticket, after=after)
    prefetch_related_objects(messages, "attachments")
    return [chat_line(message) for message in messages]


def chat_message_for_live(*, message_id: int) -> TicketMessage | None:
    """The message when it is a line a web-chat visitor sees (chat channel, not a draft or failed send)."""
    message = (
        TicketMessage.objects.filter(pk=message_id, channel__channel_type=ChannelType.CHAT)
        .select_related("ticket")
        .only("ticket", "pk")
        .first()
    )
    if message is None:
        return None
    lines = chat_lines_after(ticket=message.ticket, after=message_id - 1, limit=1)
    return lines[0] if lines and lines[0].pk == message_id else None


def chat_ticket_for_live(*, ticket_id: int) -> Ticket | None:
    """The ticket when it is a web-chat conversation (what its escalation event tells the widget)."""
    return (
        Ticket.objects.filter(pk=ticket_id, channel__channel_type=ChannelType.CHAT)
        .only("pk", "escalated", "status")
        .first()
    )


def demo_channel(*, host: str):
    """The oldest active chat channel whose hostnames allow `host` (the demo page's channel), or None."""
    candidates = Channel.objects.filter(channel_type=ChannelType.CHAT, is_active=True, deleted_at__isnull=True)
    return next((channel for channel in candidates.order_by("id") if channel.hostname_allowed(host)), None)
