"""Access policies that only representatives' routes need."""

from rest_framework.permissions import BasePermission

from accounts import selectors
from answerpal.api.policies import ManageUsers, Policy


class ManageUsersOrFirstRep(BasePermission):
    """ManageUsers with a token. Without one, the first-user bootstrap: once the customer owning the
    request's hostname has representatives the call answers 401 before its body is validated (the service
    still decides under a lock for a customer that has none)."""

    policy = Policy.MANAGE_USERS  # what a caller with a token needs (read by the policy walker)

    def has_permission(self, request, view):
        if request.auth is not None:
            return ManageUsers().has_permission(request, view)
        hostname = request.data.get("hostname") if hasattr(request.data, "get") else None
        return not selectors.customer_has_reps(hostname=str(hostname or request.get_host()))
