"""The widget's public routes are keyed by a chat channel's token (and the visitor's ticket token), so the route
walker skips them; their checks (hostname, CORS, other channels' and tenants' tokens, validation, throttles) are
tested where listed."""

PUBLIC_ROUTE_TESTS = {
    "/api/WebChat/<uuid:channelToken>/widget": "tests/webwidget/test_api.py (texts, settings, readable refusals)",
    "/api/WebChat/<uuid:channelToken>/conversations": "tests/webwidget/test_api.py (pre-chat form, validation)",
    "/api/WebChat/<uuid:channelToken>/stream": "tests/webwidget/test_live.py (WSGI and ASGI streams, refusals)",
    "/api/WebChat/<uuid:channelToken>/files": "tests/webwidget/test_api.py (upload rules, other tenants' tickets)",
    "/api/WebChat/<uuid:channelToken>/feedback": "tests/webwidget/test_api.py (latest answer, other channels)",
    "/api/WebChat/<uuid:channelToken>/escalate": "tests/webwidget/test_api.py (escalation, other channels)",
}
