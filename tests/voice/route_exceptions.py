"""Voice routes Twilio calls (public, authenticated by X-Twilio-Signature instead of a token), and the tests
that prove them. The walker skips public routes; realtime/calls/{id}/hangup is a tenant detail route it walks."""

PUBLIC_ROUTE_TESTS = {
    "/api/TwilioCalls/voice": (
        "tests/voice/test_twilio_callbacks.py::test_unsigned_and_mis_signed_requests_get_403_and_change_nothing"
    ),
    "/api/TwilioCalls/status": "tests/voice/test_twilio_callbacks.py::test_status_callback_records_the_final_status",
    "/api/TwilioCalls/{repID}/recordingcallback": (
        "tests/voice/test_twilio_callbacks.py::test_recording_callback_of_another_customers_rep_or_call_is_not_found"
    ),
}
