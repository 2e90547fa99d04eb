"""JWTs: the one place tokens are issued and read. Kinds: rep, phone, impersonation."""

from dataclasses import dataclass

from rest_framework_simplejwt.tokens import AccessToken

from answerpal.api.policies import Role


class TokenKind:
    REP = "rep"
    PHONE = "phone"
    IMPERSONATION = "impersonation"


def token_issue(
    *,
    kind: str,
    customer_id: int,
    rep_id: int | None = None,
    role: str | None = None,
    channel_id: int | None = None,
    operator_id: int | None = None,
    token_version: int = 0,
) -> str:
    """A signed access token carrying the claims the API needs to scope and authorise a request."""
    token = AccessToken()
    token["kind"] = kind
    token["customer"] = customer_id
    token["rep"] = rep_id
    token["role"] = role
    token["ver"] = token_version
    if channel_id is not None:
        token["channel"] = channel_id
    if operator_id is not None:
        token["operator"] = operator_id
    return str(token)


@dataclass(frozen=True)
class TokenPrincipal:
    """The caller of a phone or impersonation token: no representative row behind it."""

    customer_id: int
    kind: str
    role: str | None
    channel_id: int | None = None
    operator_id: int | None = None
    is_authenticated: bool = True
    is_anonymous: bool = False
    pk: None = None
    id: None = None

    @property
    def is_phone(self) -> bool:
        return self.kind == TokenKind.PHONE


@dataclass(frozen=True)
class AuthContext:
    """What every view knows about its caller: the tenant, the role and the kind of token."""

    customer_id: int
    kind: str
    role: str | None
    rep_id: int | None = None
    channel_id: int | None = None
    operator_id: int | None = None

    @property
    def is_phone(self) -> bool:
        return self.kind == TokenKind.PHONE

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def has_policy(self, policy: str) -> bool:
        from answerpal.api.policies import policies_for

        return policy in policies_for(kind=self.kind, role=self.role)
