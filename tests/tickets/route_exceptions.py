"""Ticket routes keyed by public tokens or extra path parameters, and the tests that prove them."""

SPECIAL_ROUTES = {
    "/api/EndUsers/byUid/{uid}": "tests/tickets/test_end_users.py::test_by_uid_path_form_is_tenant_scoped",
    "/api/TicketMessages/{id}/attachments/{attachment_id}": (
        "tests/tickets/test_attachments.py::test_delete_attachment_of_other_tenant_is_404"
    ),
    "/api/Tickets/createchatticket": "tests/tickets/test_chat.py::test_create_chat_ticket_checks_token_and_origin",
    "/api/File/{access_token}": "tests/tickets/test_files.py::test_unknown_token_is_404",
    "/api/TicketMessages/{ticket_token}/escalate": "tests/tickets/test_webchat.py::test_escalate_by_ticket_token",
    "/api/TicketMessages/{ticket_token}/like-dislike": "tests/tickets/test_webchat.py::test_like_dislike",
    "/api/TicketMessages/{message_id}/{tracking_token}/pixel.gif": (
        "tests/tickets/test_webchat.py::test_pixel_marks_opened_only_with_the_right_token"
    ),
}
PARAM_SAMPLES = {"attachment_id": "1", "ticket_token": "6f1c0c3e-9d0e-4b7a-9b7f-1d2e3f4a5b6c"}
