"""The addresses a provider (Twilio) may have signed a callback for, behind a proxy too."""

from django.conf import settings


def request_public_urls(request) -> list[str]:
    """The URLs a provider may have signed: as configured (PUBLIC_BASE_URL), as forwarded by a proxy
    (X-Forwarded-Proto/Host) and as received; each once, in that order."""
    path = request.get_full_path()
    urls = [f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"]
    forwarded_host = request.META.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
    forwarded_proto = request.META.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip()
    host = forwarded_host or request.META.get("HTTP_HOST", "")
    if host:
        urls.append(f"{forwarded_proto or request.scheme}://{host}{path}")
    return list(dict.fromkeys(urls))
