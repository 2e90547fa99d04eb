"""Production URLs plus `GET /api/bench/ceiling`: a bare DRF view that answers the same 25 ticket rows
as the first page of /api/Tickets with values() (the benchmark's throughput ceiling)."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from answerpal.urls import urlpatterns as production_urlpatterns
from tickets.models import Ticket

CEILING_FIELDS = (
    "id",
    "customer_rep_id",
    "status",
    "subject",
    "escalated",
    "is_spam",
    "is_closed",
    "created_at",
    "last_message_at",
    "close_date",
    "channel_type",
    "channel_id",
    "uid",
    "preview",
    "summary",
)


class CeilingView(APIView):
    """Same authentication as the API, no paging, filtering, serializer or joins."""

    def get(self, request):
        rows = Ticket.objects.filter(customer_id=request.auth.customer_id).order_by("-last_message_at", "-id")
        return Response(list(rows.values(*CEILING_FIELDS)[:25]))


urlpatterns = [path("api/bench/ceiling", CeilingView.as_view()), *production_urlpatterns]
