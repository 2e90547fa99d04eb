"""The AuditLogEntry DTO (camelCase, like the rest of the API)."""

from rest_framework import serializers

from audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    """One entry; `actorName` is the actor's name (or username), null when nobody or no longer on record."""

    auditEntryID = serializers.IntegerField(source="id", read_only=True)
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    action = serializers.CharField(read_only=True)
    customerID = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    actorID = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    actorKind = serializers.CharField(source="actor_kind", read_only=True)
    actorName = serializers.SerializerMethodField()
    objectType = serializers.CharField(source="object_type", read_only=True)
    objectID = serializers.CharField(source="object_id", read_only=True)
    detail = serializers.JSONField(read_only=True)
    clientAddress = serializers.CharField(source="client_address", read_only=True)
    requestID = serializers.CharField(source="request_id", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "auditEntryID",
            "dateCreated",
            "action",
            "customerID",
            "actorID",
            "actorKind",
            "actorName",
            "objectType",
            "objectID",
            "detail",
            "clientAddress",
            "requestID",
        ]

    def get_actorName(self, entry: AuditEntry) -> str | None:
        actor = entry.actor if entry.actor_id is not None else None
        return (actor.name or actor.username) if actor is not None else None
