"""Bearer JWT authentication: every request re-checks that the token's subject still may act.

It lives in accounts (floor 4) because it reads representatives, customers and phone channels, which the API kernel
(answerpal, floor 1) may not import; REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES names it."""

from functools import cache

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import CustomerRep
from answerpal.api.policies import Role
from answerpal.api.tokens import AuthContext, TokenKind, TokenPrincipal
from answerpal.fields import EncryptedTextField
from channels_cfg.models import Channel
from customers.models import Customer


@cache
def _customer_secrets() -> tuple[str, ...]:
    """The customer's encrypted columns: decrypting them on every request is wasted work; code that
    needs a secret loads it when it reads it."""
    return tuple(f"customer__{field.name}" for field in Customer._meta.fields if isinstance(field, EncryptedTextField))


class TokenAuthentication(BaseAuthentication):
    """Reads `Authorization: Bearer <jwt>`; a deactivated or deleted representative, a changed
    password, a deactivated customer, a deleted phone channel or a change of its phone sign-in revokes the
    token at once."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            token = AccessToken(header[1].decode())
        except (TokenError, UnicodeDecodeError) as error:
            raise exceptions.AuthenticationFailed("The token is invalid or expired; log in again.") from error
        kind = token.get("kind")
        if kind == TokenKind.REP:
            return self._rep(token)
        if kind == TokenKind.PHONE:
            return self._phone(token)
        if kind == TokenKind.IMPERSONATION:
            return self._impersonation(token)
        raise exceptions.AuthenticationFailed("Unknown token kind.")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    @staticmethod
    def _revoked():
        return exceptions.AuthenticationFailed("This token is no longer valid; log in again.")

    def _rep(self, token):
        rep = (
            CustomerRep.objects.select_related("customer")
            .defer(*_customer_secrets())
            .filter(pk=token.get("rep"), customer_id=token.get("customer"))
            .first()
        )
        if (
            rep is None
            or not rep.is_active
            or rep.deleted_at is not None
            or not rep.customer.is_active
            or rep.token_version != token.get("ver", 0)
        ):
            raise self._revoked()
        context = AuthContext(customer_id=rep.customer_id, kind=TokenKind.REP, role=rep.role, rep_id=rep.pk)
        return rep, context

    def _phone(self, token):
        channel_id, customer_id = token.get("channel"), token.get("customer")
        # The token carries the channel's phone-login version: opting the channel in or out, or a new device
        # secret, bumps it and so revokes the channel's earlier phone tokens.
        alive = Channel.objects.filter(
            pk=channel_id,
            customer_id=customer_id,
            deleted_at__isnull=True,
            customer__is_active=True,
            phone_login_version=token.get("ver", 0),
        ).exists()
        if not alive:
            raise self._revoked()
        principal = TokenPrincipal(customer_id=customer_id, kind=TokenKind.PHONE, role=None, channel_id=channel_id)
        context = AuthContext(customer_id=customer_id, kind=TokenKind.PHONE, role=None, channel_id=channel_id)
        return principal, context

    def _impersonation(self, token):
        operator_id, customer_id = token.get("operator"), token.get("customer")
        operator_ok = CustomerRep.objects.filter(pk=operator_id, is_staff=True, is_active=True).exists()
        if not operator_ok or not Customer.objects.filter(pk=customer_id, is_active=True).exists():
            raise self._revoked()
        principal = TokenPrincipal(
            customer_id=customer_id, kind=TokenKind.IMPERSONATION, role=Role.ADMINISTRATOR, operator_id=operator_id
        )
        context = AuthContext(
            customer_id=customer_id, kind=TokenKind.IMPERSONATION, role=Role.ADMINISTRATOR, operator_id=operator_id
        )
        return principal, context
