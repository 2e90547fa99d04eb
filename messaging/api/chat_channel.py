"""The base of public routes keyed by a chat channel's token and called from pages on the channel's hostnames
(the embeddable widget's routes): the one channel check of every web-chat route
(`tickets.selectors.chat_channel_for_page`: 404 unknown, 403 not in the plan, 403 HostnameNotAllowed), CORS for
the calling page's origin (never `*`), OPTIONS preflights, and a per-address-and-channel throttle."""

from urllib.parse import urlsplit

from django.conf import settings
from rest_framework import status
from rest_framework.response import Response

from answerpal.api.throttling import ClientAddressThrottle
from answerpal.api.viewsets import PublicApiView
from channels_cfg.hostnames import page_host
from tickets import selectors as ticket_selectors


class ChatChannelThrottle(ClientAddressThrottle):
    """Per client address, channel and route kind: `rate_setting` names the settings entry (WEBCHAT_RATE…)."""

    scope = "webchat-widget"

    def get_rate(self):
        return None  # set per view in allow_request

    def get_cache_key(self, request, view):
        ident = f"{self.get_ident(request)}:{view.kwargs.get('channelToken')}:{view.throttle_kind}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        if request.method == "OPTIONS":
            return True
        self.rate = getattr(settings, view.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class ChatChannelApiView(PublicApiView):
    """A public route under /api/WebChat/{channelToken}/…; `self.channel` is the checked chat channel."""

    throttle_classes = [ChatChannelThrottle]
    rate_setting = "WEBCHAT_RATE"
    throttle_kind = "widget"
    cors_methods = "GET, POST, OPTIONS"
    # The widget's first call lets any page read the refusal (403 HostnameNotAllowed, 404): it tells the visitor
    # "not available on this website" instead of failing blind; it reveals nothing a curl would not.
    refusal_readable = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        host = page_host(origin=request.headers.get("Origin"), referer=request.headers.get("Referer"))
        self.channel = ticket_selectors.chat_channel_for_page(token=kwargs["channelToken"], host=host)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        channel = getattr(self, "channel", None)
        origin = request.headers.get("Origin")
        allowed = channel is not None and origin and channel.hostname_allowed(urlsplit(origin).netloc)
        if not allowed and origin and self.refusal_readable and response.status_code in (403, 404):
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = self.cors_methods
            response["Access-Control-Allow-Headers"] = "Content-Type, Last-Event-ID"
            response["Access-Control-Max-Age"] = "600"
            response["Vary"] = "Origin"
        return response

    def options(self, request, *args, **kwargs):
        return Response(status=status.HTTP_204_NO_CONTENT)

    def ticket(self, token):
        """The visitor's conversation on this channel (404 TicketNotFound for any other token)."""
        return ticket_selectors.chat_ticket_by_token(channel=self.channel, token=token)
