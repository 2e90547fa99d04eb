from django.urls import path

from answerpal.api.routing import ApiRouter
from webhooks.api.views import WebhookEndpointViewSet, WebhookEventTypeView

router = ApiRouter()
router.register("WebhookEndpoints", WebhookEndpointViewSet, basename="webhook-endpoints")

urlpatterns = [
    path("WebhookEventTypes", WebhookEventTypeView.as_view(), name="webhook-event-types"),
    *router.urls,
]
