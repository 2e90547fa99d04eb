"""Who may assign and delete tickets (all scoped to the caller's customer); the views check these before
calling the services.

| caller                   | see                   | change fields           | assign                      | delete |
|--------------------------|-----------------------|-------------------------|-----------------------------|--------|
| Administrator/Supervisor | every ticket          | every ticket            | any active rep, or unassign | any    |
| impersonation            | every ticket          | every ticket            | any active rep, or unassign | any    |
| Representative           | every ticket (inbox)  | every ticket            | take unassigned/release own | own    |
| phone token              | its channel's tickets | PATCH, not the channel  | take unassigned/release own | no     |

A forbidden assignment answers 403 `AssignmentNotAllowed`, a forbidden delete 403
`TicketDeleteNotAllowed`; phone tokens on another channel's ticket answer 404 (not in scope)."""

from django.db.models import Q

from accounts.selectors import reps_assignable
from answerpal.api.errors import ApiError, field_error
from answerpal.api.policies import Policy
from tickets.models import Ticket

_ASSIGNMENT_DENIED = "Your role may only take unassigned tickets or release your own."


def _assigns_anyone(caller) -> bool:
    return caller.has_policy(Policy.ASSIGN_TICKETS)


def assignment_check(*, caller, current_rep_id: int | None, new_rep_id: int | None) -> None:
    """Representatives may take an unassigned ticket or release their own (403 AssignmentNotAllowed)."""
    if new_rep_id == current_rep_id or _assigns_anyone(caller):
        return
    own = caller.rep_id
    if own is None or new_rep_id not in (None, own) or current_rep_id not in (None, own):
        raise ApiError(403, "AssignmentNotAllowed", _ASSIGNMENT_DENIED)


def bulk_assignment_check(*, caller, ticket_ids: list[int], rep_id: int) -> None:
    """The bulk `assign` (rep_id 0 = unassign): the rep must be active (400), and a Representative may only
    take unassigned tickets or release their own (403 AssignmentNotAllowed)."""
    if rep_id and not reps_assignable(customer_id=caller.customer_id).filter(pk=rep_id).exists():
        raise field_error("customerRepID", f"No active representative with id {rep_id} exists.")
    if _assigns_anyone(caller):
        return
    own = caller.rep_id
    foreign = (
        Ticket.objects.filter(customer_id=caller.customer_id, pk__in=ticket_ids)
        .exclude(Q(customer_rep__isnull=True) | Q(customer_rep_id=own))
        .exists()
    )
    if rep_id not in (0, own) or foreign:
        raise ApiError(403, "AssignmentNotAllowed", _ASSIGNMENT_DENIED)


def delete_check(*, caller, ticket: Ticket) -> None:
    """Only Administrators/Supervisors delete any ticket; others only their own (403 TicketDeleteNotAllowed)."""
    if not _assigns_anyone(caller) and ticket.customer_rep_id != caller.rep_id:
        raise ApiError(403, "TicketDeleteNotAllowed", "Your role may only delete tickets assigned to you.")
