"""What every audit test checks: the one entry an act wrote, with its actor, tenant, object, address and request id."""

from audit.models import AuditEntry

ADDRESS = "203.0.113.50"


def tag(client, request_id: str):
    """The client's next requests come from ADDRESS and carry this X-Request-ID."""
    client._credentials = {**client._credentials, "REMOTE_ADDR": ADDRESS, "HTTP_X_REQUEST_ID": request_id}
    return client


def the_entry(action: str, **match) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action, **match))
    assert len(entries) == 1, [(entry.action, entry.object_id) for entry in AuditEntry.objects.all()]
    return entries[0]


def assert_entry(entry: AuditEntry, *, customer_id, actor_id, actor_kind, object_type, object_id, request_id):
    assert (entry.customer_id, entry.actor_id, entry.actor_kind) == (customer_id, actor_id, actor_kind)
    assert (entry.object_type, entry.object_id) == (object_type, str(object_id))
    assert (entry.client_address, entry.request_id) == (ADDRESS, request_id)
    assert entry.created_at is not None
