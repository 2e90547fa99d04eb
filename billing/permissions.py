"""Feature gates: `RequiresFeature("hasPhone")` for views, `feature_require(...)` for services."""

from rest_framework.permissions import BasePermission

from answerpal.api.errors import ApiError
from billing.models import FEATURE_FIELDS
from billing.selectors import effective_limits


def feature_require(*, customer_id: int, feature: str) -> None:
    """Raises 403 FeatureNotInPlan unless the customer's effective features include `feature`."""
    if feature not in FEATURE_FIELDS:
        raise ValueError(f"Unknown feature {feature!r}; use one of {', '.join(FEATURE_FIELDS)}.")
    if not effective_limits(customer_id=customer_id).features[feature]:
        raise ApiError(
            403,
            "FeatureNotInPlan",
            f"The feature '{feature}' is not part of your subscription plan; upgrade the plan to use it.",
        )


def RequiresFeature(feature: str) -> type[BasePermission]:
    """A DRF permission class that lets the request through only when the caller's plan has `feature`."""
    if feature not in FEATURE_FIELDS:
        raise ValueError(f"Unknown feature {feature!r}; use one of {', '.join(FEATURE_FIELDS)}.")

    class _RequiresFeature(BasePermission):
        def has_permission(self, request, view):
            context = getattr(request, "auth", None)
            if context is None or not hasattr(context, "customer_id"):
                return False
            feature_require(customer_id=context.customer_id, feature=feature)
            return True

    _RequiresFeature.feature = feature
    _RequiresFeature.__name__ = _RequiresFeature.__qualname__ = f"RequiresFeature_{feature}"
    _RequiresFeature.__doc__ = f"Requires the plan feature {feature} (403 FeatureNotInPlan otherwise)."
    return _RequiresFeature
