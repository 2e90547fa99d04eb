"""Rate limits: per customer for tokens, per client address for public routes; 429 + Retry-After.

Every per-address throttle keys on `answerpal.api.client_address.client_address` (the socket peer, or what
settings.TRUSTED_PROXIES vouch for), never on DRF's `get_ident`, which believes a client's X-Forwarded-For."""

from rest_framework.throttling import SimpleRateThrottle

from answerpal.api.client_address import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    """The base of throttles that count per client address: `get_ident` is the trusted client address."""

    def get_ident(self, request):
        return client_address(request)


class CustomerRateThrottle(SimpleRateThrottle):
    scope = "customer"

    def get_cache_key(self, request, view):
        context = getattr(request, "auth", None)
        customer_id = getattr(context, "customer_id", None)
        if customer_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": customer_id}


class PublicRateThrottle(ClientAddressThrottle):
    """Anonymous routes (login, web chat, file tokens) are limited per client address."""

    scope = "public"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicAssetThrottle(PublicRateThrottle):
    """Files and tracking pixels are embedded in pages and mails: a higher per-address budget."""

    scope = "public-asset"
    rate = "600/min"


class ProviderCallbackThrottle(ClientAddressThrottle):
    """Provider callbacks come from few addresses in bursts: a generous per-address budget."""

    scope = "provider-callback"
    rate = "1200/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
