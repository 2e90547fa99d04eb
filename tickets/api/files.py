"""GET /api/File/{accessToken}: public download of an attachment through the storage API, with the
stored type, an RFC 6266 Content-Disposition and single-range requests (206 / 416)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema

from answerpal.api.downloads import stored_file_response
from answerpal.api.throttling import PublicAssetThrottle
from answerpal.api.viewsets import PublicApiView
from audit.models import AuditAction
from audit.services import audit_record
from tickets.models import TicketMessageAttachment


class FileDownloadView(PublicApiView):
    """Possession of the GUID is the permission; images, PDF and plain text are shown inline,
    everything else downloads under its stored name (fallbacks: application/octet-stream, download.bin).
    Each download is an audit entry (FileDownloaded; the caller is anonymous: the GUID is the key)."""

    throttle_classes = [PublicAssetThrottle]

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})  # the stored file's own type
    def get(self, request, access_token):
        attachment = get_object_or_404(TicketMessageAttachment, access_token=access_token)
        audit_record(
            customer_id=attachment.customer_id,
            action=AuditAction.FILE_DOWNLOADED,
            object_type="TicketMessageAttachment",
            object_id=attachment.pk,
            detail={"messageID": attachment.message_id, "range": request.headers.get("Range", "")[:100]},
            request=request,
        )
        return stored_file_response(
            request,
            file=attachment.file,
            content_type=attachment.content_type,
            file_name=attachment.file_name,
            size=attachment.size,
        )
