"""Privacy routes: an end user's export and erasure, the erasure jobs (receipts) and the retention run reports.
All ManageSettings (Administrators); another customer's end user or job answers 404."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from answerpal.api.policies import ManageSettings
from answerpal.api.viewsets import TenantViewSet
from privacy import selectors, services
from privacy.api.serializers import (
    EndUserEraseSerializer,
    EndUserExportQuerySerializer,
    ErasureCountsSerializer,
    ErasureJobSerializer,
    RetentionRunSerializer,
)
from privacy.filters import ErasureJobFilterSet, RetentionRunFilterSet
from tickets.models import EndUser


class EndUserPrivacyViewSet(TenantViewSet):
    """GET /api/EndUsers/{id}/export (ZIP archive), POST /api/EndUsers/{id}/erase (202 job, or 200 counts with
    dryRun)."""

    queryset = EndUser.objects.all()
    serializer_class = ErasureJobSerializer
    policy = ManageSettings
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        parameters=[OpenApiParameter("lang", str, enum=["nl", "en", "fr"], description="Language of index.html")],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, pk=None):
        """Everything held about the end user: data.json, the original files and index.html, streamed as a ZIP."""
        end_user = self.get_object()
        query = EndUserExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        file_name, chunks = services.enduser_export(
            customer_id=self.customer_id, end_user_id=end_user.pk, language=query.validated_data.get("lang", "")
        )
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=EndUserEraseSerializer,
        responses={202: ErasureJobSerializer, 200: ErasureCountsSerializer},
    )
    @action(detail=True, methods=["post"], url_path="erase")
    def erase(self, request, pk=None):
        """Erases the end user everywhere as a job (202; GET /api/ErasureJobs/{id} for progress); 409 LegalHold."""
        end_user = self.get_object()
        body = EndUserEraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["dry_run"]:
            counts = services.enduser_erase_preview(customer_id=self.customer_id, end_user_id=end_user.pk)
            return Response({"endUserID": end_user.pk, "dryRun": True, "counts": counts})
        job = services.enduser_erase(
            customer_id=self.customer_id, end_user_id=end_user.pk, actor_rep_id=request.auth.rep_id
        )
        job = selectors.erasure_jobs_queryset().get(pk=job.pk)
        return Response(ErasureJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ErasureJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """GET /api/ErasureJobs (paged, newest first) and /api/ErasureJobs/{id}: progress, then the receipt."""

    queryset = selectors.erasure_jobs_queryset()
    serializer_class = ErasureJobSerializer
    filterset_class = ErasureJobFilterSet
    policy = ManageSettings
    lookup_value_regex = "[0-9]+"
    sort_fields = {"dateCreated": "created_at", "erasureJobID": "id"}
    default_sort = "dateCreated"
    default_sort_order = "desc"


class RetentionRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """GET /api/RetentionRuns (paged, newest first) and /api/RetentionRuns/{id}: the report of each run."""

    queryset = selectors.retention_runs_queryset()
    serializer_class = RetentionRunSerializer
    filterset_class = RetentionRunFilterSet
    policy = ManageSettings
    lookup_value_regex = "[0-9]+"
    sort_fields = {"dateStarted": "started_at", "retentionRunID": "id"}
    default_sort = "dateStarted"
    default_sort_order = "desc"
