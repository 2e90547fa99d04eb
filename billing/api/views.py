"""Billing routes: the caller's subscription, storage status/usage/recalculation and cost reports."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from answerpal.api.policies import RepToken, ViewReports
from answerpal.api.viewsets import TenantApiView
from billing import services
from billing.api.serializers import (
    CostReportQuerySerializer,
    DailyCostSerializer,
    MonthlyCostSerializer,
    StorageStatusSerializer,
    StorageUsageSerializer,
    SubscriptionPlanResponseSerializer,
    YearlyCostSerializer,
)
from billing.selectors import CostPeriod, cost_report, effective_limits, storage_status


class SubscriptionMeView(TenantApiView):
    """The caller's plan, effective limits (overrides applied) and feature flags."""

    policy = RepToken

    @extend_schema(responses=SubscriptionPlanResponseSerializer)
    def get(self, request):
        return Response(SubscriptionPlanResponseSerializer(effective_limits(customer_id=self.customer_id)).data)


class StorageStatusView(TenantApiView):
    """Lightweight quota status for any representative."""

    policy = RepToken

    @extend_schema(responses=StorageStatusSerializer)
    def get(self, request):
        return Response(StorageStatusSerializer(storage_status(customer_id=self.customer_id)).data)


class StorageUsageView(TenantApiView):
    """Detailed usage with the notification state and timestamps (ViewReports)."""

    policy = ViewReports

    @extend_schema(responses=StorageUsageSerializer)
    def get(self, request):
        return Response(StorageUsageSerializer(storage_status(customer_id=self.customer_id)).data)


class StorageRecalculateView(TenantApiView):
    """Re-measures every registered storage source now and answers the detailed usage."""

    policy = ViewReports

    @extend_schema(request=None, responses=StorageUsageSerializer)
    def post(self, request):
        services.storage_usage_recalculate(customer_id=self.customer_id)
        return Response(StorageUsageSerializer(storage_status(customer_id=self.customer_id)).data)


_RANGE_PARAMETERS = [
    OpenApiParameter("from", str, description="First UTC date (YYYY-MM-DD), inclusive; alias startDate."),
    OpenApiParameter("to", str, description="Last UTC date (YYYY-MM-DD), inclusive; alias endDate."),
]


class CostReportView(TenantApiView):
    """OpenAI, Twilio, Google and total costs per period of a UTC date range (zero-filled)."""

    policy = ViewReports
    period = CostPeriod.DAY
    row_serializer = DailyCostSerializer

    def get(self, request):
        query = CostReportQuerySerializer.from_query(request.query_params, period=self.period)
        query.is_valid(raise_exception=True)
        rows = cost_report(customer_id=self.customer_id, period=self.period, **query.validated_data)
        return Response(self.row_serializer(rows, many=True).data)


class DailyCostView(CostReportView):
    @extend_schema(parameters=_RANGE_PARAMETERS, responses=DailyCostSerializer(many=True))
    def get(self, request):
        return super().get(request)


class MonthlyCostView(CostReportView):
    period = CostPeriod.MONTH
    row_serializer = MonthlyCostSerializer

    @extend_schema(parameters=_RANGE_PARAMETERS, responses=MonthlyCostSerializer(many=True))
    def get(self, request):
        return super().get(request)


class YearlyCostView(CostReportView):
    period = CostPeriod.YEAR
    row_serializer = YearlyCostSerializer

    @extend_schema(parameters=_RANGE_PARAMETERS, responses=YearlyCostSerializer(many=True))
    def get(self, request):
        return super().get(request)
