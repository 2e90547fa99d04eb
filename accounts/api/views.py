"""Auth (sign-in, phone sign-in, impersonation, password reset) and CustomerReps routes."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api.policies import ManageUsersOrFirstRep
from accounts.api.serializers import (
    ChangePasswordSerializer,
    CustomerRepCreateSerializer,
    CustomerRepReadSerializer,
    CustomerRepUpdateSerializer,
    DeviceSecretSerializer,
    ImpersonateSerializer,
    LoginSerializer,
    PasswordResetRequestSerializer,
    PasswordResetSerializer,
    PhoneLoginSerializer,
    RepSignatureSerializer,
    TokenSerializer,
)
from accounts.models import CustomerRep
from answerpal.api.client_address import client_address
from answerpal.api.errors import ApiError, field_error
from answerpal.api.policies import AdministratorOrSupervisor, ManageSettings, ManageUsers, Policy, Role
from answerpal.api.throttling import PublicRateThrottle
from answerpal.api.tokens import TokenKind
from answerpal.api.viewsets import PublicApiView, TenantModelViewSet, TenantViewSet
from channels_cfg.models import Channel, ChannelType

LOCKED = OpenApiResponse(description="LoginLocked: too many failed sign-ins; retry after Retry-After seconds.")


class LoginView(PublicApiView):
    @extend_schema(
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            401: OpenApiResponse(description="InvalidCredentials: the sign-in details are not valid."),
            429: LOCKED,
        },
    )
    def post(self, request):
        """Representative sign-in; `hostname` (the web app's host) selects the customer."""
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = services.rep_login(**body.validated_data, client_address=client_address(request))
        return Response({"token": token})


class PhoneLoginView(PublicApiView):
    @extend_schema(
        request=PhoneLoginSerializer,
        responses={
            200: TokenSerializer,
            401: OpenApiResponse(
                description="DeviceSecretRequired (no deviceSecret sent) or InvalidCredentials (no opted-in channel "
                "matches the number, Account SID and device secret)."
            ),
            429: LOCKED,
        },
    )
    def post(self, request):
        """A token bound to the phone channel with this number, for the Twilio account's owner, when an
        Administrator opted the channel in to phone sign-in and the device gives its secret (`deviceSecret`).
        A phone token never obtains the tenant's long-lived secrets (see GET /api/Customers/my-secrets)."""
        body = PhoneLoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = services.phone_login(
            phone_number=body.validated_data["phoneNumber"],
            account_sid=body.validated_data["accountSid"],
            device_secret=body.validated_data.get("deviceSecret") or "",
            client_address=client_address(request),
        )
        return Response({"token": token})


class ImpersonateByCustomerView(PublicApiView):
    @extend_schema(request=ImpersonateSerializer, responses={200: TokenSerializer})
    def post(self, request):
        """Internal platform tooling: a platform operator acts as Administrator of a customer (audited)."""
        body = ImpersonateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        token = services.impersonation_start(
            username=data["username"],
            password=data["password"],
            customer_id=data["customerID"],
            reason=data["reason"],
            client_address=client_address(request),
        )
        return Response({"token": token})


class RequestPasswordResetView(PublicApiView):
    @extend_schema(
        request=PasswordResetRequestSerializer,
        responses={
            200: None,
            429: OpenApiResponse(description="PasswordResetLocked: too many requests for this address or client."),
        },
    )
    def post(self, request):
        """Mails a reset link when the address belongs to a rep; answers 200 either way, after the same work."""
        body = PasswordResetRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.password_reset_request(**body.validated_data, client_address=client_address(request))
        return Response(status=status.HTTP_200_OK)


class ResetPasswordView(PublicApiView):
    @extend_schema(request=PasswordResetSerializer, responses={204: None})
    def post(self, request):
        """Sets a new password with a reset token (single use, 4 hours); existing tokens stop working."""
        body = PasswordResetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.password_reset_confirm(
            token=body.validated_data["token"], new_password=body.validated_data["newPassword"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _may_manage_users(request) -> bool:
    return request.auth is not None and request.auth.has_policy(Policy.MANAGE_USERS)


def _is_self(request, rep: CustomerRep) -> bool:
    return request.auth.kind == TokenKind.REP and request.auth.rep_id == rep.pk


class CustomerRepViewSet(TenantModelViewSet):
    """Representatives of the caller's customer; deleted reps are invisible to every route (create and PUT
    are written out below)."""

    queryset = CustomerRep.objects.all()
    serializer_class = CustomerRepReadSerializer
    lookup_value_regex = r"\d+"
    max_page_size = 1000  # the web app asks for "all" reps with pageSize=999999
    sort_fields = {"name": "name", "username": "username", "email": "email", "role": "role"}
    default_sort = "name"
    search_fields = ["username", "name", "email"]

    policies = {
        "list": ManageUsers,
        "create": ManageUsersOrFirstRep,
        "retrieve": ManageUsers,
        "destroy": ManageUsers,
        "activate": ManageUsers,
        "deactivate": ManageUsers,
        "assignable": AdministratorOrSupervisor,
    }

    def scope_queryset(self, queryset):
        return queryset.filter(deleted_at__isnull=True)

    def get_throttles(self):
        if self.action == "create" and self.request.auth is None:
            return [PublicRateThrottle()]
        return super().get_throttles()

    def _own_or_managed(self, rep: CustomerRep) -> None:
        if not (_is_self(self.request, rep) or _may_manage_users(self.request)):
            raise PermissionDenied("Only an Administrator may manage another representative.")

    @extend_schema(request=CustomerRepCreateSerializer, responses={201: CustomerRepReadSerializer})
    def create(self, request, *args, **kwargs):
        """Creates a rep (ManageUsers); without a token, creates a customer's first Administrator."""
        body = CustomerRepCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if request.auth is None:
            hostname = data.get("hostname") or request.get_host()
            rep = services.rep_bootstrap(
                hostname=hostname, username=data["username"], password=data["password"], profile=body.profile()
            )
        else:
            rep = services.rep_create(
                customer_id=self.customer_id,
                username=data["username"],
                password=data["password"],
                profile=body.profile(),
                role=data.get("role", Role.REPRESENTATIVE),
                is_active=data["isActive"],
            )
        return Response(CustomerRepReadSerializer(rep).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerRepUpdateSerializer, responses={204: None})
    def update(self, request, *args, **kwargs):
        """Updates a profile: Administrators any rep's, others only their own and never their role."""
        rep = self.get_object()
        self._own_or_managed(rep)
        body = CustomerRepUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("customerRepID") not in (None, rep.pk):
            raise field_error("customerRepID", "customerRepID must match the id in the path.")
        role = data.get("role")
        if role is not None and role != rep.role and not _may_manage_users(request):
            raise ApiError(status.HTTP_403_FORBIDDEN, "CannotChangeRole", "Only an Administrator may change roles.")
        services.rep_update(rep=rep, profile=body.profile(), role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_destroy(self, instance):
        services.rep_delete(rep=instance)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activates a rep if the plan's user limit has a free seat (409 UserLimitExceeded)."""
        services.rep_activate(rep=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Deactivates a rep; the rep's tokens stop working at once."""
        services.rep_deactivate(rep=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ChangePasswordSerializer, responses={204: None})
    @action(detail=True, methods=["put"], url_path="change-password")
    def change_password(self, request, pk=None):
        """Own password (currentPassword required) or, for Administrators, another rep's."""
        rep = self.get_object()
        self._own_or_managed(rep)
        body = ChangePasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("customerRepID") not in (None, rep.pk):
            raise field_error("customerRepID", "customerRepID must match the id in the path.")
        current = None
        if _is_self(request, rep):
            current = data.get("currentPassword")
            if current is None:
                raise field_error("currentPassword", "Give your current password to change it.")
        services.rep_password_change(
            rep=rep, new_password=data["newPassword"], current_password=current, actor=_actor(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: CustomerRepReadSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def assignable(self, request):
        """Active reps that can receive ticket assignments (un-paged, by name)."""
        reps = selectors.reps_assignable(customer_id=self.customer_id).order_by("name", "id")
        return Response(CustomerRepReadSerializer(reps, many=True).data)

    @extend_schema(responses={200: CustomerRepReadSerializer})
    @action(detail=False, methods=["get"])
    def me(self, request):
        """The caller's own profile (404 for impersonation tokens: no representative behind them)."""
        if request.auth.kind != TokenKind.REP:
            raise NotFound("This token does not belong to a representative.")
        return Response(CustomerRepReadSerializer(request.user).data)

    @extend_schema(methods=["get"], responses={200: RepSignatureSerializer(many=True)})
    @extend_schema(
        methods=["post"],
        request=RepSignatureSerializer,
        responses={200: RepSignatureSerializer, 201: RepSignatureSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def signatures(self, request, pk=None):
        """Lists the rep's signatures, or creates/replaces the one of `lang`."""
        rep = self.get_object()
        self._own_or_managed(rep)
        if request.method == "GET":
            return Response(RepSignatureSerializer(selectors.rep_signatures(rep=rep), many=True).data)
        body = RepSignatureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        signature, created = services.signature_upsert(
            rep=rep,
            lang=data["lang"],
            html=data.get("email_signature_html") or "",
            text=data.get("email_signature_text") or "",
        )
        return Response(
            RepSignatureSerializer(signature).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(methods=["get"], responses={200: RepSignatureSerializer})
    @extend_schema(methods=["delete"], responses={204: None})
    @action(detail=True, methods=["get", "delete"], url_path=r"signatures/(?P<lang>[^/]+)")
    def signature(self, request, pk=None, lang=None):
        """Reads or deletes the rep's signature of one language (404 when there is none)."""
        rep = self.get_object()
        self._own_or_managed(rep)
        signature = selectors.rep_signature_get(rep=rep, lang=lang)
        if signature is None:
            raise NotFound(f"No signature in '{lang}' for this representative.")
        if request.method == "DELETE":
            services.signature_delete(signature=signature)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(RepSignatureSerializer(signature).data)


def _actor(request) -> str:
    context = request.auth
    if context.kind == TokenKind.IMPERSONATION:
        return f"operator {context.operator_id}"
    return f"rep {context.rep_id}"


class ChannelPhoneLoginViewSet(TenantViewSet):
    """POST /api/Channels/{channelId}/phone-login-secret: the Administrator opts the channel in to phone sign-in
    and receives its new device secret once (earlier phone tokens of the channel stop working);
    DELETE: opts it out (its phone tokens stop working). Both are audited."""

    queryset = Channel.objects.filter(deleted_at__isnull=True)
    serializer_class = DeviceSecretSerializer
    lookup_url_kwarg = "channelId"
    lookup_value_regex = "[0-9]+"
    pagination_class = None
    policy = ManageSettings

    @extend_schema(methods=["post"], request=None, responses={201: DeviceSecretSerializer})
    @extend_schema(methods=["delete"], request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"], url_path="phone-login-secret")
    def phone_login_secret(self, request, channelId=None):
        channel = self.get_object()
        if request.method == "DELETE":
            services.phone_login_secret_clear(channel=channel, actor=_actor(request))
            return Response(status=status.HTTP_204_NO_CONTENT)
        if channel.channel_type != ChannelType.PHONE:
            raise ApiError(400, "NotAPhoneChannel", "Only Phone channels have phone sign-in.")
        secret = services.phone_login_secret_set(channel=channel, actor=_actor(request))
        data = {"channelID": channel.pk, "deviceSecret": secret, "phoneNumber": channel.phone_number}
        return Response(DeviceSecretSerializer(data).data, status=status.HTTP_201_CREATED)
