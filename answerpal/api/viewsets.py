"""Base views. Tenancy and access policies are applied here, once: subclasses cannot bypass the
customer filter, and they declare their policies instead of coding `get_permissions`."""

from collections.abc import Mapping

from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.views import APIView

from answerpal.api.policies import RepToken
from answerpal.api.throttling import PublicRateThrottle

PolicySpec = type[BasePermission] | tuple[type[BasePermission], ...]


class DeclaredPolicies:
    """`policy` is the view's access policy; `policies` maps an action (viewsets) or a lower-case HTTP
    method (API views) to another. A value is a permission class or a tuple of them that must all pass
    (e.g. `(TicketAccess, RequiresFeature("hasPhone"))`). `get_permissions`, `permission_classes` and
    `@action(permission_classes=...)` are refused at class creation, so the policy walker
    (`tests/answerpal/test_policy_walker.py`) reads every route's policy from these two attributes."""

    policy: PolicySpec = RepToken
    policies: Mapping[str, PolicySpec] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("get_permissions", "permission_classes"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} must declare `policy` / `policies`, not {name}.")
        for name, member in cls.__dict__.items():
            if "permission_classes" in getattr(member, "kwargs", {}):
                raise TypeError(f"{cls.__name__}.{name}: declare the action's policy in `policies`.")

    @classmethod
    def policy_for(cls, key: str | None) -> tuple[type[BasePermission], ...]:
        """The permission classes that guard `key` (an action name or a lower-case HTTP method)."""
        spec = cls.policies.get(key, cls.policy) if key else cls.policy
        return spec if isinstance(spec, tuple) else (spec,)

    def get_permissions(self):
        key = getattr(self, "action", None) or self.request.method.lower()
        return [permission() for permission in self.policy_for(key)]


class TenantScoped(DeclaredPolicies):
    """Mixin giving a view `self.customer_id` (from the JWT) and the customer in serializer context."""

    @property
    def customer_id(self) -> int:
        return self.request.auth.customer_id

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["customer_id"] = getattr(getattr(self.request, "auth", None), "customer_id", None)
        return context


class TenantViewSet(TenantScoped, viewsets.GenericViewSet):
    """Every queryset is filtered by the caller's customer after `scope_queryset`; another
    customer's row therefore answers 404 exactly like a missing one.

    Subclasses set `queryset`, `serializer_class`, `policy`/`policies`, `filterset_class`,
    `sort_fields`/`default_sort`, `search_fields`, and may override `scope_queryset(queryset)` to
    add joins or role rules. Overriding `get_queryset` is refused at class creation."""

    tenant_field = "customer"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must override scope_queryset(), not get_queryset().")

    def scope_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        queryset = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return queryset.none()
        queryset = self.scope_queryset(queryset)
        return queryset.filter(**{f"{self.tenant_field}_id": self.customer_id})


class ReplaceModelMixin:
    """PUT only: DRF's update without partial_update, so routers register no PATCH route."""

    update = mixins.UpdateModelMixin.update
    perform_update = mixins.UpdateModelMixin.perform_update


class TenantModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ReplaceModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """List, retrieve, create, PUT and DELETE; a view wanting PATCH adds mixins.UpdateModelMixin."""


class TenantApiView(TenantScoped, APIView):
    """A single-resource endpoint of the caller's customer (e.g. `/api/Customers/me`)."""


class PublicApiView(DeclaredPolicies, APIView):
    """Anonymous endpoints (login, reset, public tokens): no authentication, per-address limits."""

    authentication_classes: list = []
    policy = AllowAny
    throttle_classes = [PublicRateThrottle]
