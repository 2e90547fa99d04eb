"""Production: every secret from the environment, no defaults; refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, FIELD_ENCRYPTION_KEY, SECRET_KEY, env_bool

_missing = [
    name
    for name, value in (
        ("DJANGO_SECRET_KEY", SECRET_KEY),
        ("FIELD_ENCRYPTION_KEY", FIELD_ENCRYPTION_KEY),
        ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need these environment variables: {', '.join(_missing)} (see .env.example)."
    )

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": os.environ.get("DJANGO_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
