"""Roles, access policies (named as in the spec) and the DRF permission classes that check them.

Role → policy table (also in README.md):

| policy                  | Administrator | Supervisor | Representative | phone token | impersonation |
|-------------------------|:-------------:|:----------:|:--------------:|:-----------:|:-------------:|
| Authenticated (Bearer)  | yes           | yes        | yes            | no          | yes           |
| ManageUsers             | yes           | no         | no             | no          | yes           |
| ManageSettings          | yes           | no         | no             | no          | yes           |
| ViewReports             | yes           | yes        | no             | no          | yes           |
| ImportEmails            | yes           | yes        | no             | no          | yes           |
| AssignTickets           | yes           | yes        | no             | no          | yes           |
| TicketAccess            | yes           | yes        | yes            | no          | yes           |
| TicketAccessOrPhoneAuth | yes           | yes        | yes            | yes         | yes           |
| TicketCreateFromPhone   | yes           | yes        | yes            | yes         | yes           |
| PhoneAuthOnly           | no            | no         | no             | yes         | no            |
"""

from django.db import models
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    ADMINISTRATOR = "Administrator"
    SUPERVISOR = "Supervisor"
    REPRESENTATIVE = "Representative"


class Policy:
    AUTHENTICATED = "Authenticated"
    MANAGE_USERS = "ManageUsers"
    MANAGE_SETTINGS = "ManageSettings"
    VIEW_REPORTS = "ViewReports"
    IMPORT_EMAILS = "ImportEmails"
    ASSIGN_TICKETS = "AssignTickets"
    TICKET_ACCESS = "TicketAccess"
    TICKET_ACCESS_OR_PHONE_AUTH = "TicketAccessOrPhoneAuth"
    TICKET_CREATE_FROM_PHONE = "TicketCreateFromPhone"
    PHONE_AUTH_ONLY = "PhoneAuthOnly"


_TICKETS = {
    Policy.AUTHENTICATED,
    Policy.TICKET_ACCESS,
    Policy.TICKET_ACCESS_OR_PHONE_AUTH,
    Policy.TICKET_CREATE_FROM_PHONE,
}
_SUPERVISOR = _TICKETS | {Policy.VIEW_REPORTS, Policy.IMPORT_EMAILS, Policy.ASSIGN_TICKETS}
_ADMINISTRATOR = _SUPERVISOR | {Policy.MANAGE_USERS, Policy.MANAGE_SETTINGS}

ROLE_POLICIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(_ADMINISTRATOR),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.REPRESENTATIVE: frozenset(_TICKETS),
}
PHONE_POLICIES = frozenset(
    {Policy.TICKET_ACCESS_OR_PHONE_AUTH, Policy.TICKET_CREATE_FROM_PHONE, Policy.PHONE_AUTH_ONLY}
)


def policies_for(*, kind: str, role: str | None) -> frozenset[str]:
    from answerpal.api.tokens import TokenKind

    if kind == TokenKind.PHONE:
        return PHONE_POLICIES
    if kind == TokenKind.IMPERSONATION:
        return ROLE_POLICIES[Role.ADMINISTRATOR]
    return ROLE_POLICIES.get(role, frozenset())


class PolicyPermission(BasePermission):
    """Allows the request when the caller's token grants `policy`; 401 without a token."""

    policy = Policy.AUTHENTICATED
    message = "Your role does not allow this operation."

    def has_permission(self, request, view):
        context = getattr(request, "auth", None)
        if context is None or not hasattr(context, "has_policy"):
            return False
        return context.has_policy(self.policy)


def _policy(name: str) -> type[PolicyPermission]:
    return type(name, (PolicyPermission,), {"policy": name, "__doc__": f"Requires the {name} policy."})


RepToken = _policy(Policy.AUTHENTICATED)
ManageUsers = _policy(Policy.MANAGE_USERS)
ManageSettings = _policy(Policy.MANAGE_SETTINGS)
ViewReports = _policy(Policy.VIEW_REPORTS)
ImportEmails = _policy(Policy.IMPORT_EMAILS)
AdministratorOrSupervisor = _policy(Policy.ASSIGN_TICKETS)
TicketAccess = _policy(Policy.TICKET_ACCESS)
TicketAccessOrPhoneAuth = _policy(Policy.TICKET_ACCESS_OR_PHONE_AUTH)
TicketCreateFromPhone = _policy(Policy.TICKET_CREATE_FROM_PHONE)
PhoneAuthOnly = _policy(Policy.PHONE_AUTH_ONLY)


def ensure_channel_access(request, channel_id: int | None) -> None:
    """A phone token may only touch its own channel (403 PhoneChannelMismatch otherwise)."""
    from answerpal.api.errors import ApiError

    context = request.auth
    if context.is_phone and channel_id != context.channel_id:
        raise ApiError(403, "PhoneChannelMismatch", "This phone token is bound to another channel.")
