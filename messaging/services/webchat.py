"""Web chat: an end user's chat line continues the ticket of its token or opens a new chat ticket."""

import logging
import uuid

from django.db import transaction

from channels_cfg.models import Channel, ChannelType
from tickets import services as ticket_services
from tickets.models import Ticket, TicketMessage, UidType

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)


def webchat_post(
    *, channel: Channel, ticket: Ticket | None, text: str, page_url: str = "", name: str = ""
) -> TicketMessage:
    """An end user's chat line: continues the ticket of its token or opens a new chat ticket."""
    with transaction.atomic():
        if ticket is None:
            end_user = ticket_services.end_user_create(
                customer_id=channel.customer_id,
                profile={"firstname": name[:200]} if name else {},
                uids=[{"uid_type": UidType.WEBCHAT, "uid": f"webchat-{uuid.uuid4()}", "is_primary": True}],
            )
            ticket = ticket_services.ticket_create(
                customer_id=channel.customer_id,
                channel_type=ChannelType.CHAT,
                channel_id=channel.pk,
                subject=text[:80],
                end_user=end_user,
                uid=end_user.uids.first().uid,
            )
        return ticket_services.message_create(
            customer_id=channel.customer_id,
            ticket=ticket,
            channel_id=channel.pk,
            channel_type=ChannelType.CHAT,
            incoming=True,
            end_user=ticket.end_user,
            fields={"message": text, "text_body": text, "page_url": page_url[:2000], "from_name": name[:200]},
        )
