"""Root URLs: the API (every app's api/urls.py under /api/), schema and docs, admin, health."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from answerpal.api.errors import not_found_view
from answerpal.api.health import healthz
from answerpal.api.routing import API_NOT_FOUND
from webwidget.views import demo_chat

API_APPS = [
    "accounts",
    "customers",
    "billing",
    "channels_cfg",
    "tickets",
    "documents",
    "automation",
    "messaging",
    "ai",
    "voice",
    "places",
    "webwidget",
    "privacy",
    "webhooks",
    "audit",
]

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("demo/chat", demo_chat, name="demo-chat"),
    *[path("api/", include(f"{app}.api.urls")) for app in API_APPS],
    # Last: any other /api/ address, with any method, is a problem+json 404 (csrf_exempt, so before any
    # CSRF check), also with DEBUG (Django's HTML page otherwise).
    re_path(r"^api/", not_found_view, name=API_NOT_FOUND),
]

handler400 = "answerpal.api.errors.bad_request_view"
handler404 = "answerpal.api.errors.not_found_view"
handler500 = "answerpal.api.errors.server_error_view"
