from django.urls import path

from billing.api.views import (
    DailyCostView,
    MonthlyCostView,
    StorageRecalculateView,
    StorageStatusView,
    StorageUsageView,
    SubscriptionMeView,
    YearlyCostView,
)

urlpatterns = [
    path("Subscription/me", SubscriptionMeView.as_view(), name="subscription-me"),
    path("Customers/storage-status", StorageStatusView.as_view(), name="customers-storage-status"),
    path("Customers/storage-usage", StorageUsageView.as_view(), name="customers-storage-usage"),
    path("Customers/storage-usage/recalculate", StorageRecalculateView.as_view(), name="customers-storage-recalculate"),
    path("customer-costs/daily", DailyCostView.as_view(), name="customer-costs-daily"),
    path("customer-costs/monthly", MonthlyCostView.as_view(), name="customer-costs-monthly"),
    path("customer-costs/yearly", YearlyCostView.as_view(), name="customer-costs-yearly"),
]
