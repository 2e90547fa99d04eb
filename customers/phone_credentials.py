"""The phone-credentials port customers owns: GET /api/Customers/my-secrets answers what the registered issuer
(voice, a higher floor, in VoiceConfig.ready) mints for the calling phone token. Never the tenant's long-lived
secrets: an OpenAI Realtime client secret and a Twilio Voice access token, both short-lived and minted per call."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

# (customer_id, channel_id) -> the PhoneCredentials DTO as a dict (the issuer audits the issue)
PhoneCredentialsIssuer = Callable[..., dict]

_registered: list[PhoneCredentialsIssuer] = []


def phone_credentials_register(issuer: PhoneCredentialsIssuer) -> None:
    """Installs the issuer (the last registration wins, so tests may swap it)."""
    _registered[:] = [issuer]


def phone_credentials_issue(*, customer_id: int, channel_id: int) -> dict:
    """Short-lived credentials for the phone channel's device; ImproperlyConfigured when voice is not installed."""
    if not _registered:
        raise ImproperlyConfigured("No phone-credentials issuer is registered: add voice.apps.VoiceConfig.")
    return _registered[0](customer_id=customer_id, channel_id=channel_id)
