"""Privacy DTOs: the erasure request body, erasure jobs (the receipts) and retention run reports."""

from rest_framework import serializers

from privacy.export import INDEX_LANGUAGES


class EndUserExportQuerySerializer(serializers.Serializer):
    """GET /api/EndUsers/{id}/export query: `lang` overrides the index's language (the end user's by default)."""

    lang = serializers.ChoiceField(choices=INDEX_LANGUAGES, required=False)


class EndUserEraseSerializer(serializers.Serializer):
    """POST /api/EndUsers/{id}/erase body: `dryRun` true answers 200 with the counts and changes nothing."""

    dryRun = serializers.BooleanField(source="dry_run", required=False, default=False)


class ErasureCountsSerializer(serializers.Serializer):
    """The dry run's answer: what the erasure would remove or anonymise, per kind."""

    endUserID = serializers.IntegerField()
    dryRun = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())


class ErasureJobSerializer(serializers.Serializer):
    """ErasureJob: progress while it runs; once Done, the receipt (no personal data: salted UID hashes, counts)."""

    erasureJobID = serializers.IntegerField(source="id", read_only=True)
    endUserID = serializers.IntegerField(source="end_user_id", read_only=True)
    state = serializers.CharField(read_only=True)
    step = serializers.CharField(read_only=True)
    progress = serializers.IntegerField(read_only=True)
    actor = serializers.CharField(read_only=True)
    actorRepID = serializers.IntegerField(source="actor_rep_id", read_only=True, allow_null=True)
    uidHashes = serializers.ListField(source="uid_hashes", child=serializers.CharField(), read_only=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    errorCode = serializers.CharField(source="error_code", read_only=True)
    dateCreated = serializers.DateTimeField(source="created_at", read_only=True)
    dateStarted = serializers.DateTimeField(source="started_at", read_only=True, allow_null=True)
    dateFinished = serializers.DateTimeField(source="finished_at", read_only=True, allow_null=True)


class RetentionRunSerializer(serializers.Serializer):
    """RetentionRun: the settings applied and what was removed per kind (or was due, for a dry run)."""

    retentionRunID = serializers.IntegerField(source="id", read_only=True)
    dryRun = serializers.BooleanField(source="dry_run", read_only=True)
    settings = serializers.JSONField(
        read_only=True,
        help_text="Days per kind in force (null = keep), and closedTicketsByChannel: {channelID: days}.",
    )
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    complete = serializers.BooleanField(read_only=True)
    dateStarted = serializers.DateTimeField(source="started_at", read_only=True)
    dateFinished = serializers.DateTimeField(source="finished_at", read_only=True, allow_null=True)
