"""Settings shared by every runtime mode; all configuration comes from environment variables."""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ANSWERPAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "answerpal.apps.AnswerpalConfig",
    "audit.apps.AuditConfig",
    "customers.apps.CustomersConfig",
    "billing.apps.BillingConfig",
    "channels_cfg.apps.ChannelsCfgConfig",
    "accounts.apps.AccountsConfig",
    "tickets.apps.TicketsConfig",
    "documents.apps.DocumentsConfig",
    "automation.apps.AutomationConfig",
    "messaging.apps.MessagingConfig",
    "ai.apps.AiConfig",
    "voice.apps.VoiceConfig",
    "places.apps.PlacesConfig",
    "webwidget.apps.WebWidgetConfig",
    "privacy.apps.PrivacyConfig",
    "webhooks.apps.WebhooksConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "answerpal.api.client_address.ClientAddressMiddleware",
    "answerpal.api.middleware.ApiRequestMiddleware",
    "audit.context.AuditRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "answerpal.urls"
WSGI_APPLICATION = "answerpal.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "answerpal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'answerpal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL connection pool (psycopg-pool), e.g. for a threaded AI worker: bounded connections.
if os.environ.get("DATABASE_POOL_MAX_SIZE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"max_size": int(os.environ["DATABASE_POOL_MAX_SIZE"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.CustomerRep"
AUTHENTICATION_BACKENDS = ["accounts.backends.OperatorBackend"]
# Preferred hasher first; legacy AnswerPal BCrypt hashes ("bcrypt$$2a$...") verify and are upgraded at login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Usernames are unique per customer, not globally; OperatorBackend resolves the admin login.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# JSON bodies stay small; file uploads stream to disk and are capped per route (50 MB attachments).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ANSWERPAL_MAX_REQUEST_BYTES = 60 * 1024 * 1024
ANSWERPAL_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Hostile bodies get a 400, not a 500: JSON nested deeper than this is refused (JsonTooDeep), and
# forms with more fields or files than Django's limits (TooManyFields / TooManyFiles).
ANSWERPAL_JSON_MAX_DEPTH = int(os.environ.get("ANSWERPAL_JSON_MAX_DEPTH", "64"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# No API route uses cookies; a CSRF refusal under /api/ is answered as problem+json.
CSRF_FAILURE_VIEW = "answerpal.api.errors.csrf_failure_view"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AnswerPal <no-reply@answerpal.local>")
# The web app that receives the password-reset link; {hostname} is the customer's hostname.
PASSWORD_RESET_URL = os.environ.get("PASSWORD_RESET_URL", "https://{hostname}/reset-password?token={token}")
PASSWORD_RESET_TTL = timedelta(hours=4)
# Sign-in protection (accounts.lockout, counted in the cache: Redis in production). After LOGIN_LOCKOUT_FAILURES
# failed sign-ins of one account (username + hostname, or a phone number; known or not) within the window, the
# next attempt answers 429 LoginLocked + Retry-After: first LOGIN_LOCKOUT_DELAY_SECONDS, doubling with each further
# failure up to LOGIN_LOCKOUT_MAX_SECONDS. One client address gets LOGIN_LOCKOUT_ADDRESS_FAILURES over all accounts.
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "10"))
LOGIN_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_ADDRESS_FAILURES", "30"))
LOGIN_LOCKOUT_DELAY_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_DELAY_SECONDS", "60"))
LOGIN_LOCKOUT_MAX_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_MAX_SECONDS", "900"))
LOGIN_LOCKOUT_WINDOW_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_WINDOW_SECONDS", "3600"))
# The audit trail keeps its entries this many days (0: forever); the daily purge deletes this many per statement.
AUDIT_LOG_RETENTION_DAYS = int(os.environ.get("AUDIT_LOG_RETENTION_DAYS", "400"))
AUDIT_LOG_PURGE_BATCH_SIZE = int(os.environ.get("AUDIT_LOG_PURGE_BATCH_SIZE", "5000"))
# Password-reset requests (each one counts) per e-mail address + hostname and per client address, same waits.
PASSWORD_RESET_REQUESTS_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_REQUESTS_PER_ACCOUNT", "5"))
PASSWORD_RESET_REQUESTS_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_REQUESTS_PER_ADDRESS", "20"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["answerpal.api.policies.RepToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "answerpal.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "answerpal.api.pagination.PagedResult",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "answerpal.api.sorting.SortFilter",
        "answerpal.api.search.TextSearchFilter",
    ],
    "EXCEPTION_HANDLER": "answerpal.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "answerpal.api.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["answerpal.api.throttling.CustomerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "customer": os.environ.get("API_RATE_LIMIT", "6000/min"),
        "public": os.environ.get("PUBLIC_RATE_LIMIT", "60/min"),
    },
    "SEARCH_PARAM": "search",
    # DRF's own get_ident would believe a client's X-Forwarded-For; 0 = the socket address. Our throttles key on
    # answerpal.api.client_address instead (TRUSTED_PROXIES below).
    "NUM_PROXIES": 0,
}

# Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDR networks, e.g. "10.0.0.0/8,
# 172.16.0.0/12" for a load balancer inside the private network). Empty (the default): the socket address is the
# client, whatever X-Forwarded-For says. Read from the right: trusted hops are skipped, the first untrusted address
# is the client. Used by every per-address throttle, login lockout, audit row and log line.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a CIDR network.") from _error

SPECTACULAR_SETTINGS = {
    "TITLE": "AnswerPal API",
    "DESCRIPTION": "AI customer service: tickets, messages, channels, knowledge and automation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Choice sets shared by several serializers get one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "AuthenticationTypeEnum": "customers.models.AuthenticationType",
        "CustomerEmailProviderTypeEnum": "customers.models.EmailProviderType",
        "ChannelEmailProviderEnum": "channels_cfg.models.EmailProvider",
    },
}

JWT_ACCESS_LIFETIME = timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "480")))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": JWT_ACCESS_LIFETIME,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": os.environ.get("JWT_SIGNING_KEY") or SECRET_KEY,
    "USER_ID_CLAIM": "rep",
    "USER_ID_FIELD": "id",
    "TOKEN_TYPE_CLAIM": "token_type",
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# Celery: a real broker when REDIS_URL (or CELERY_BROKER_URL) is set, otherwise tasks run in process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (os.environ.get("CELERY_BROKER_URL") or REDIS_URL)
# A password-reset request answers no sooner than this: with a broker the request only enqueues (the same work for
# known and unknown addresses, 0 needed); in process (eager) the known address's token and mail are made inline.
PASSWORD_RESET_MIN_RESPONSE_MS = int(
    os.environ.get("PASSWORD_RESET_MIN_RESPONSE_MS") or ("250" if CELERY_TASK_ALWAYS_EAGER else "0")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "ai", "voice", "outbound", "import")]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict = {
    # Retention: closed tickets, recordings and end users without tickets past each customer's settings.
    "privacy-retention-daily": {
        "task": "privacy.retention_enqueue_all",
        "schedule": timedelta(days=1),
        "options": {"queue": "default"},
    },
    # Re-drives outbox rows left queued/sending by a lost broker message or a dead worker.
    "messaging-outbox-sweep": {
        "task": "messaging.outbox_sweep",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "outbound"},
    },
    # Re-drives webhook deliveries whose task was lost (the same outbox mechanism).
    "webhooks-delivery-sweep": {
        "task": "webhooks.delivery_sweep",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "outbound"},
    },
    "webhooks-log-prune": {
        "task": "webhooks.log_prune",
        "schedule": timedelta(hours=24),
        "options": {"queue": "default"},
    },
    # Graph mail subscriptions live < 3 days: renew those expiring within 24 hours.
    "messaging-renew-graph-subscriptions": {
        "task": "messaging.renew_graph_subscriptions",
        "schedule": timedelta(minutes=30),
        "options": {"queue": "import"},
    },
    # IMAP has no push: import auto-retrieving IMAP folders periodically.
    "messaging-imap-poll": {
        "task": "messaging.imap_poll",
        "schedule": timedelta(minutes=5),
        "options": {"queue": "import"},
    },
    # Re-queues AI pipelines whose task was lost (broker restart, killed worker).
    "ai-pipeline-sweep": {
        "task": "ai.pipeline_sweep",
        "schedule": timedelta(minutes=5),
        "options": {"queue": "ai"},
    },
    # Corrects the running storage counters from the real file sizes (fans out per customer).
    "billing-recalculate-storage": {
        "task": "billing.recalculate_storage",
        "schedule": timedelta(hours=6),
        "options": {"queue": "default"},
    },
    # Re-queues action chains whose task was lost (pending or overdue waiting runs).
    "automation-sweep-action-chains": {
        "task": "automation.sweep_action_chains",
        "schedule": timedelta(minutes=5),
        "options": {"queue": "default"},
    },
    # Deletes tickets whose DeleteAfterCleanup date has passed.
    "automation-delete-scheduled-tickets": {
        "task": "automation.delete_scheduled_tickets",
        "schedule": timedelta(hours=1),
        "options": {"queue": "default"},
    },
    # Removes audit entries older than AUDIT_LOG_RETENTION_DAYS, in batches.
    "audit-purge-expired": {
        "task": "audit.purge_expired",
        "schedule": timedelta(days=1),
        "options": {"queue": "default"},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_address": {"()": "answerpal.api.client_address.ClientAddressLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(client_address)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_address"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# AI provider: "local" (offline, deterministic) unless OpenAI settings are given.
AI_PROVIDER = os.environ.get("AI_PROVIDER", "local")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")

# Twilio and Microsoft Graph platform defaults (tenants may override per customer/channel).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Hosts a Twilio recording or media download may be redirected to (the first request, which carries the account's
# credentials, always goes to twilio.com or a subdomain; credentials never follow a redirect off twilio.com).
# `*.` matches subdomains. Every hop also passes the outbound-address guard.
TWILIO_MEDIA_HOSTS = os.environ.get(
    "TWILIO_MEDIA_HOSTS", "twilio.com, *.twilio.com, mms.twiliocdn.com, *.twiliocdn.com, s3-external-1.amazonaws.com"
)

# Mail transports and the outbox.
GRAPH_API_URL = os.environ.get("GRAPH_API_URL", "https://graph.microsoft.com/v1.0")
MAIL_IMPORT_INITIAL_DAYS = int(os.environ.get("MAIL_IMPORT_INITIAL_DAYS", "7"))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))
OUTBOX_QUEUED_GRACE_SECONDS = int(os.environ.get("OUTBOX_QUEUED_GRACE_SECONDS", "120"))
# Web chat widget limits per client address and channel.
WEBCHAT_RATE = os.environ.get("WEBCHAT_RATE", "30/min")
WEBCHAT_POLL_RATE = os.environ.get("WEBCHAT_POLL_RATE", "240/min")
# Public web-chat ticket creation (POST /api/Tickets/createchatticket): per client address and per channel.
CHAT_TICKET_RATE = os.environ.get("CHAT_TICKET_RATE", "10/min")
CHAT_TICKET_CHANNEL_RATE = os.environ.get("CHAT_TICKET_CHANNEL_RATE", "300/hour")
# Web chat widget (webwidget): /widget/v1.js is served from webwidget/public by whitenoise; the live stream
# (GET /api/WebChat/{channelToken}/stream) stays open this long before the browser reconnects, with a comment line
# every heartbeat; streams opened per address and channel are limited like the other chat routes.
WHITENOISE_ROOT = BASE_DIR / "webwidget" / "public"
WEBCHAT_STREAM_SECONDS = float(os.environ.get("WEBCHAT_STREAM_SECONDS", "55"))
WEBCHAT_STREAM_HEARTBEAT_SECONDS = float(os.environ.get("WEBCHAT_STREAM_HEARTBEAT_SECONDS", "15"))
WEBCHAT_STREAM_RATE = os.environ.get("WEBCHAT_STREAM_RATE", "60/min")
# Live events between web processes and workers (answerpal.live): Redis pub/sub, in process without a URL.
LIVE_REDIS_URL = os.environ.get("LIVE_REDIS_URL") or REDIS_URL
LIVE_KEY_PREFIX = os.environ.get("LIVE_KEY_PREFIX", "answerpal:live:")
# The demo page /demo/chat (the demo tenant's widget on a page of the platform): served with DEBUG or this on.
WEBWIDGET_DEMO = env_bool("WEBWIDGET_DEMO")

# The outbound-address guard (answerpal/outbound_guard.py) for everything the server connects to on a tenant's
# behalf (actions, hooks, data retrieval, IMAP, SMTP, Graph token endpoints, connection tests, Twilio downloads):
# internal and reserved addresses are refused. OUTBOUND_ALLOWED_NETWORKS is the operator's allow-list (CIDR
# networks, addresses or host names, comma separated; e.g. an on-premises mail server), never a tenant setting.
# OUTBOUND_ALLOW_PRIVATE_NETWORKS switches the guard off (development against local servers only).
OUTBOUND_ALLOWED_NETWORKS = os.environ.get("OUTBOUND_ALLOWED_NETWORKS", "")
OUTBOUND_ALLOW_PRIVATE_NETWORKS = env_bool("OUTBOUND_ALLOW_PRIVATE_NETWORKS")
OUTBOUND_TIMEOUT_SECONDS = float(os.environ.get("OUTBOUND_TIMEOUT_SECONDS", "10"))
OUTBOUND_MAX_RESPONSE_BYTES = int(os.environ.get("OUTBOUND_MAX_RESPONSE_BYTES", str(1024 * 1024)))

# Signed outbound webhooks (Standard Webhooks), delivered through the outbox and the outbound guard.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_RESPONSE_BYTES = int(os.environ.get("WEBHOOK_MAX_RESPONSE_BYTES", str(64 * 1024)))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "12"))  # 30 s doubling to 1 h: about 5 hours
WEBHOOK_SECRET_OVERLAP_SECONDS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_SECONDS", str(24 * 3600)))
WEBHOOK_LOG_RETENTION_DAYS = int(os.environ.get("WEBHOOK_LOG_RETENTION_DAYS", "30"))
# DeleteAfterCleanup actions delete the ticket this many days later.
AUTOMATION_CLEANUP_DAYS = int(os.environ.get("AUTOMATION_CLEANUP_DAYS", "30"))

# Images decoded within a memory budget (places/images.py, checked from the header before anything is decoded):
# the most pixels an image may have (also Pillow's MAX_IMAGE_PIXELS; PLACES_PHOTO_MAX_PIXELS is the former name)
# and the most bytes processing one may hold at once (bitmap, a progressive JPEG's coefficients, libheif's or
# libwebp's buffers, the reduced or turned copy; a JPEG counts at the reduced size it is decoded at). Above either:
# 413 PhotoTooLarge. The worst photo the defaults accept peaks under 150 MB above the idle worker
# (bench/image_memory.py); a 24 MP HEIF needs about 260 MB.
IMAGE_MAX_PIXELS = int(
    os.environ.get("ANSWERPAL_MAX_IMAGE_PIXELS") or os.environ.get("PLACES_PHOTO_MAX_PIXELS") or str(50_000_000)
)
IMAGE_DECODE_MAX_BYTES = int(os.environ.get("ANSWERPAL_IMAGE_DECODE_MAX_BYTES", str(140_000_000)))

# Place descriptions (property condition reports): room photo limits and the DOCX export.
# Largest photo upload in bytes (413 PhotoTooLarge above it).
PLACES_PHOTO_MAX_BYTES = int(os.environ.get("PLACES_PHOTO_MAX_BYTES", str(25 * 1024 * 1024)))
# Larger photos are stored reduced by a whole factor to at most this many pixels (a 12 MP phone photo is kept).
PLACES_PHOTO_STORED_MAX_PIXELS = int(os.environ.get("PLACES_PHOTO_STORED_MAX_PIXELS", str(12_600_000)))
# JPEG/WebP quality of stored photos (they are re-encoded upright without metadata) and thumbnail size.
PLACES_PHOTO_JPEG_QUALITY = int(os.environ.get("PLACES_PHOTO_JPEG_QUALITY", "88"))
PLACES_THUMBNAIL_PIXELS = int(os.environ.get("PLACES_THUMBNAIL_PIXELS", "400"))
# Photos are shrunk to this many pixels on the longer side before they go into a DOCX export.
PLACES_EXPORT_IMAGE_PIXELS = int(os.environ.get("PLACES_EXPORT_IMAGE_PIXELS", "1024"))
# The language of a place description whose report sets none and whose dictation does not tell (nl-BE, fr-BE, en-GB …).
PLACES_REPORT_LANGUAGE = os.environ.get("PLACES_REPORT_LANGUAGE", "nl-BE")

# Voice (Twilio calls, recordings, call audio, realtime AI, transcription).
# Lifetime of a browser phone's Twilio access token; the rep counts as available for inbound calls until then.
TWILIO_VOICE_TOKEN_TTL_SECONDS = int(os.environ.get("TWILIO_VOICE_TOKEN_TTL_SECONDS", "3600"))
# Lifetime of the credentials GET /api/Customers/my-secrets mints for a phone channel's device (an OpenAI Realtime
# client secret and a Twilio Voice access token; OpenAI accepts 10-7200 seconds).
PHONE_CREDENTIALS_TTL_SECONDS = int(os.environ.get("PHONE_CREDENTIALS_TTL_SECONDS", "600"))
# Region and edge answered with voice tokens when the customer sets none (twilioRegion / voice settings).
VOICE_REGION = os.environ.get("VOICE_REGION", "ie1")
VOICE_EDGE = os.environ.get("VOICE_EDGE", "dublin")
# Country assumed for phone numbers written without an international prefix (ISO 3166 alpha-2).
VOICE_DEFAULT_REGION = os.environ.get("VOICE_DEFAULT_REGION", "BE")
# Largest recording downloaded from Twilio, uploaded chunk and joined chunked call (bytes).
VOICE_RECORDING_MAX_BYTES = int(os.environ.get("VOICE_RECORDING_MAX_BYTES", str(50 * 1024 * 1024)))
VOICE_CHUNK_MAX_BYTES = int(os.environ.get("VOICE_CHUNK_MAX_BYTES", str(5 * 1024 * 1024)))
VOICE_CALL_MAX_BYTES = int(os.environ.get("VOICE_CALL_MAX_BYTES", str(50 * 1024 * 1024)))
# Largest file POST /api/Transcriptions/file accepts (OpenAI's transcription limit is 25 MB).
VOICE_TRANSCRIPTION_MAX_BYTES = int(os.environ.get("VOICE_TRANSCRIPTION_MAX_BYTES", str(25 * 1024 * 1024)))
# Realtime AI calls: the model used when the customer has no realtime slot, and the voice it speaks with.
VOICE_REALTIME_MODEL = os.environ.get("VOICE_REALTIME_MODEL", "gpt-realtime")
VOICE_REALTIME_VOICE = os.environ.get("VOICE_REALTIME_VOICE", "alloy")

# Privacy: tickets purged per transaction by an erasure; retention batch size and batches per kind per run.
PRIVACY_ERASURE_BATCH = int(os.environ.get("PRIVACY_ERASURE_BATCH", "50"))
RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "200"))
RETENTION_MAX_BATCHES = int(os.environ.get("RETENTION_MAX_BATCHES", "50"))
