"""Builds the outbound e-mail (one MIME for Graph sendMail and SMTP alike): body, the representative's
signature in the message language, the open-tracking pixel, a `[#ticket]` subject token and the
threading headers (Message-ID, In-Reply-To, References)."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.html import escape, linebreaks, strip_tags

from accounts.models import CustomerRep, RepSignature
from answerpal.mail_html import html_is_markup, html_text

SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")


def subject_with_token(subject: str, ticket_id: int) -> str:
    """Adds the `[#123]` token that threads an answer back into its ticket (kept when already there)."""
    subject = subject.strip()
    if SUBJECT_TOKEN.search(subject):
        return subject
    return f"{subject} [#{ticket_id}]".strip()


def ticket_id_from_subject(subject: str) -> int | None:
    match = SUBJECT_TOKEN.search(subject or "")
    return int(match.group(1)) if match else None


def internet_message_id_for(message) -> str:
    """Deterministic per message, so a retried send carries the same Message-ID (de-duplication)."""
    domain = (message.email_address or "answerpal.local").rsplit("@", 1)[-1]
    return f"<answerpal.{message.pk}.{message.tracking_token.hex}@{domain}>"


def tracking_pixel_url(message) -> str:
    """The absolute URL of tickets' open-tracking pixel route for this message."""
    path = reverse("ticket-message-pixel", kwargs={"message_id": message.pk, "tracking_token": message.tracking_token})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def signature_for(rep: CustomerRep | None, lang: str) -> tuple[str, str]:
    """(html, text) of the rep's signature: exact language → base language → the rep's default."""
    if rep is None:
        return "", ""
    lang = (lang or "").strip().lower().replace("_", "-")
    candidates = [lang, lang.split("-")[0]] if lang else []
    signatures = {row.lang.lower(): row for row in RepSignature.objects.filter(rep=rep)}
    for candidate in candidates:
        if candidate in signatures:
            row = signatures[candidate]
            return row.email_signature_html, row.email_signature_text or strip_tags(row.email_signature_html)
    return rep.email_signature_html, rep.email_signature_text or strip_tags(rep.email_signature_html)


@dataclass(frozen=True)
class OutboundEmail:
    email: EmailMultiAlternatives
    internet_message_id: str

    def as_bytes(self) -> bytes:
        return self.email.message().as_bytes()


def outbound_email_build(
    *, message, body_text: str, from_address: str, with_pixel: bool = True, automated: bool = False
) -> OutboundEmail:
    """The e-mail for an outbound TicketMessage (`body_text` is the final answer text or HTML); mail an
    action sent on its own is marked `Auto-Submitted: auto-replied` (RFC 3834) so responders stay quiet."""
    html_signature, text_signature = signature_for(message.customer_rep, message.lang)
    is_html = html_is_markup(body_text)
    html = body_text if is_html else linebreaks(escape(body_text))
    text = html_text(body_text) if is_html else body_text
    if html_signature or text_signature:
        html += f'<div class="signature">{html_signature or linebreaks(escape(text_signature))}</div>'
        text += f"\n\n-- \n{text_signature}"
    if with_pixel:
        html += f'<img src="{tracking_pixel_url(message)}" width="1" height="1" alt="" style="display:none">'
    internet_message_id = internet_message_id_for(message)
    headers = {"Message-ID": internet_message_id}
    if automated:
        headers["Auto-Submitted"] = "auto-replied"
    if message.in_reply_to:  # set on replies only; a forward starts a new thread for its recipient
        headers.update({"In-Reply-To": message.in_reply_to, "References": message.references or message.in_reply_to})
    email = EmailMultiAlternatives(
        subject=subject_with_token(message.subject, message.ticket_id),
        body=text,
        from_email=f"{message.from_name} <{from_address}>" if message.from_name else from_address,
        to=_addresses(message.to_address),
        cc=_addresses(message.cc_address),
        bcc=_addresses(message.bcc_address),
        headers=headers,
    )
    email.attach_alternative(f"<html><body>{html}</body></html>", "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.file_name, handle.read(), attachment.content_type or None)
    return OutboundEmail(email=email, internet_message_id=internet_message_id)


def _addresses(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[;,]", value or "") if item.strip()]
