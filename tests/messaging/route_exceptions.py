"""Messaging routes keyed by provider or public tokens, and the tests that cover them.

The public routes (GraphWebhook, Twilio/whatsapp, WebChat/{channelToken}/messages) need no token, so
the walker skips them; their authenticity checks are tested where listed."""

PUBLIC_ROUTE_TESTS = {
    "/api/GraphWebhook": "tests/messaging/test_webhooks.py (validationToken echo, clientState check)",
    "/api/Twilio/whatsapp": "tests/messaging/test_whatsapp.py (signature; unknown number = 403)",
    "/api/Twilio/whatsapp/status": "tests/messaging/test_whatsapp.py (signed reports; unknown SID = 403)",
    "/api/WebChat/<uuid:channelToken>/messages": "tests/messaging/test_webchat.py (hostname, ticket token)",
}
