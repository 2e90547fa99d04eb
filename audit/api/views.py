"""GET /api/AuditLog (paged, filtered, tenant-isolated) and GET /api/AuditLog/{id}."""

from rest_framework import mixins

from answerpal.api.policies import ManageSettings
from answerpal.api.viewsets import TenantViewSet
from audit import selectors
from audit.api.serializers import AuditEntrySerializer
from audit.filters import AuditEntryFilterSet


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The caller's customer's audit trail, newest first; read-only (entries are append-only).
    `search` looks in action, object type and id, client address and request id."""

    queryset = selectors.audit_entries()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    lookup_value_regex = "[0-9]+"
    search_fields = ["action", "object_type", "object_id", "client_address", "request_id"]
    sort_fields = {
        "dateCreated": "created_at",
        "auditEntryID": "id",
        "action": "action",
        "actorID": "actor_id",
        "objectType": "object_type",
    }
    default_sort = "dateCreated"
    default_sort_order = "desc"
    default_page_size = 50

    policy = ManageSettings
