"""One person seeded across every channel and app, with the identifiers the erasure test looks for afterwards."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from ai.models import MessagePipeline, PipelineState
from ai.providers import topics as topic_matching
from automation.models import ConnectorCall, TicketMessageAction
from billing.models import CostEntry, CostProvider, StorageCategory
from billing.services import storage_usage_change
from channels_cfg.models import ChannelType
from messaging.models import InboundReceipt, OutboxMessage, Transport
from places import services as place_services
from tests.automation.factories import ActionFactory, TopicFactory
from tests.channels_cfg.factories import ChannelFactory
from tests.places.factories import PlaceDescriptionReportFactory, PlaceDescriptionRoomFactory
from tests.places.photos import jpeg
from tickets import services as ticket_services
from tickets.models import EndUser, EndUserUID, SenderType, TicketMessageTopic, UidType
from voice.models import AudioChunk, PhoneCall, TranscriptionStatus

NAME = "Joris Qwertyvandermeulen"
EMAIL = "joris.qx7@voorbeeld-mail.be"
PHONE = "+32470999111"
WHATSAPP = f"whatsapp:{PHONE}"
CHAT_UID = "webchat-visitor-qx7-2f9a"
PHRASE = "blauwe kangoeroe zonnebloem"
IDENTIFIERS = (NAME, "Qwertyvandermeulen", EMAIL, PHONE, CHAT_UID, PHRASE)

RAW_MIME = (
    f"From: {NAME} <{EMAIL}>\r\nTo: support@acme.example\r\nSubject: Lekkende kraan\r\n"
    "Message-ID: <qx7-original@voorbeeld-mail.be>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    f"Beste, mijn kraan lekt. {PHRASE}. Bel me op {PHONE}.\r\n"
).encode()


@dataclass
class Seeded:
    end_user: EndUser
    bystander: EndUser
    ticket_ids: list[int]
    message_ids: list[int]
    bystander_ticket_id: int
    report_id: int


def _ticket(customer, end_user, channel_type, uid, subject):
    channel = ChannelFactory(customer=customer, channel_type=channel_type)
    return ticket_services.ticket_create(
        customer_id=customer.pk,
        channel_id=channel.pk,
        channel_type=channel_type,
        end_user=end_user,
        uid=uid,
        subject=subject,
    )


def _raw_message(ticket, end_user, **fields):
    from tickets.models import TicketMessage

    return TicketMessage.objects.create(
        customer_id=ticket.customer_id, ticket=ticket, channel_id=ticket.channel_id, end_user=end_user, **fields
    )


def seed_person(customer, *, lang: str = "nl") -> Seeded:
    """E-mail (raw MIME attachment, headers, AI draft and prompt, outbox reply), chat, WhatsApp, a phone call with
    recording, chunk and transcript, a place report with a photo naming the person, cost rows, topic-learning
    example, connector log, inbound receipt and a cached vector; plus a bystander who must stay untouched."""
    first, last = NAME.split(" ")
    end_user = EndUser.objects.create(
        customer=customer, firstname=first, lastname=last, lang=lang, city="Gent", ai_documentation=f"Likes {PHRASE}"
    )
    for uid, kind in (
        (EMAIL, UidType.EMAIL),
        (PHONE, UidType.PHONE),
        (WHATSAPP, UidType.WHATSAPP),
        (CHAT_UID, UidType.WEBCHAT),
    ):
        EndUserUID.objects.create(customer=customer, end_user=end_user, uid=uid, uid_type=kind)
    topic = TopicFactory(customer=customer, name="Sanitair")
    action = ActionFactory(customer=customer)

    mail = _ticket(customer, end_user, ChannelType.EMAIL, EMAIL, f"Lekkende kraan van {NAME}")
    inbound = _raw_message(
        mail,
        end_user,
        subject=mail.subject,
        text_body=f"Beste, mijn kraan lekt. {PHRASE}.",
        html_body=f"<p>Beste, mijn kraan lekt. {PHRASE}.</p>",
        headers=RAW_MIME.decode().split("\r\n\r\n")[0],
        from_address=EMAIL,
        from_name=NAME,
        uid=EMAIL,
        message_identifier="<qx7-original@voorbeeld-mail.be>",
        ai_generated_response=f"Beste {first}, we sturen een loodgieter.",
        ai_prompt=f"Customer {NAME} <{EMAIL}> wrote: {PHRASE}",
        custom_fields_data={"phone": PHONE},
    )
    ticket_services.attachment_store(
        message=inbound, content=RAW_MIME, file_name="original.eml", is_end_user_provided=True
    )
    TicketMessageTopic.objects.create(customer=customer, message=inbound, topic=topic, corrected=True)
    MessagePipeline.objects.create(customer=customer, message=inbound, state=PipelineState.DONE, last_error=PHRASE)
    TicketMessageAction.objects.create(
        customer=customer, message=inbound, action=action, trigger="Manual", result=EMAIL
    )
    InboundReceipt.objects.create(
        customer=customer, provider="graph", external_id="<qx7-original@voorbeeld-mail.be>", message=inbound
    )
    ConnectorCall.objects.create(
        customer=customer, message_id=inbound.pk, method="GET", url=f"https://crm.example/lookup/{EMAIL}"
    )
    reply = _raw_message(
        mail,
        None,
        sender_type=SenderType.CUSTOMER_REP,
        incoming=False,
        subject=f"Re: {mail.subject}",
        html_body=f"<p>Beste {NAME},</p>",
        to_address=EMAIL,
    )
    OutboxMessage.objects.create(
        customer=customer,
        message=reply,
        transport=Transport.GRAPH,
        idempotency_key=f"message-{reply.pk}",
        next_attempt_at=timezone.now(),
        last_error=f"mailbox {EMAIL} busy",
    )

    chat = _ticket(customer, end_user, ChannelType.CHAT, CHAT_UID, "Vraag via chat")
    chat_line = _raw_message(
        chat, end_user, message=f"Hallo, ik ben {NAME}: {PHRASE}", uid=CHAT_UID, page_html=f"<b>{NAME}</b>"
    )
    whatsapp = _ticket(customer, end_user, ChannelType.WHATSAPP, WHATSAPP, "WhatsApp")
    whatsapp_line = _raw_message(whatsapp, end_user, message=f"{PHRASE} via WhatsApp", from_number=PHONE, uid=WHATSAPP)

    phone = _ticket(customer, end_user, ChannelType.PHONE, PHONE, f"Call from {PHONE}")
    call_message = _raw_message(phone, end_user, message=f"Transcript: {PHRASE}", from_number=PHONE, uid=PHONE)
    recording = ticket_services.attachment_store(
        message=call_message, content=b"ID3fake-audio " + PHRASE.encode(), file_name="recording.mp3"
    )
    call = PhoneCall.objects.create(
        customer=customer,
        call_sid="CAqx7",
        from_number=PHONE,
        to_number="+3225550100",
        ticket=phone,
        message=call_message,
        recording=recording,
        transcript=f"Hallo, met {NAME}, {PHRASE}",
        transcription_status=TranscriptionStatus.COMPLETED,
    )
    chunk = AudioChunk(customer=customer, call=call, index=0, size=len(PHRASE), sha256="0" * 64)
    chunk.file.save(chunk.upload_key.hex, ContentFile(PHRASE.encode()), save=False)
    chunk.save()
    storage_usage_change(customer_id=customer.pk, delta_bytes=chunk.size, category=StorageCategory.RECORDINGS)

    for message in (inbound, chat_line, whatsapp_line, call_message):
        CostEntry.objects.create(
            customer=customer,
            provider=CostProvider.OPENAI,
            model_name="gpt-4o-mini",
            purpose="email",
            amount=Decimal("0.012345"),
            message_id=message.pk,
        )

    report = PlaceDescriptionReportFactory(customer=customer, tenants=f"{NAME} en An Janssens", landlords="Jan Peeters")
    room = PlaceDescriptionRoomFactory(customer=customer, report=report, transcript=f"{NAME} toont de keuken.")
    place_services.photo_store(
        room=room, content=ContentFile(jpeg(), name="x.jpg"), file_name="keuken.jpg", caption=f"{NAME} bij de gootsteen"
    )
    place_services.photo_store(
        room=room, content=ContentFile(jpeg(), name="y.jpg"), file_name="plafond.jpg", caption="Plafond"
    )

    topic_matching._vectors[f"Beste, mijn kraan lekt. {PHRASE}."] = None  # a per-process cached embedding

    bystander = EndUser.objects.create(customer=customer, firstname="An", lastname="Janssens")
    EndUserUID.objects.create(customer=customer, end_user=bystander, uid="an.janssens@example.be")
    other = _ticket(customer, bystander, ChannelType.EMAIL, "an.janssens@example.be", "Andere vraag")
    bystander_message = _raw_message(other, bystander, text_body="Mijn eigen vraag")
    CostEntry.objects.create(
        customer=customer, provider=CostProvider.OPENAI, amount=Decimal("0.5"), message_id=bystander_message.pk
    )
    return Seeded(
        end_user=end_user,
        bystander=bystander,
        ticket_ids=[mail.pk, chat.pk, whatsapp.pk, phone.pk],
        message_ids=[inbound.pk, reply.pk, chat_line.pk, whatsapp_line.pk, call_message.pk],
        bystander_ticket_id=other.pk,
        report_id=report.pk,
    )
