"""The one line a site owner pastes to put a chat channel's widget on their pages (shown in the admin and as the
channel's read-only `widgetSnippet`); the widget is served by the platform at a versioned path."""

from django.conf import settings
from django.utils.html import escape

from channels_cfg.models import Channel, ChannelType

WIDGET_PATH = "/widget/v1.js"


def widget_snippet(channel: Channel, *, base_url: str = "") -> str:
    """`<script src="{base}/widget/v1.js" data-channel-token="…" async></script>` for a chat channel, else ''."""
    if channel.channel_type != ChannelType.CHAT:
        return ""
    base = escape((base_url or settings.PUBLIC_BASE_URL).rstrip("/"))
    return f'<script src="{base}{WIDGET_PATH}" data-channel-token="{channel.token}" async></script>'  # plain text
