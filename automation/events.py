"""Domain-event subscribers (answerpal.events): each queues the matching hook on the `default` queue."""

from automation.models import HookName
from automation.tasks import run_end_user_hook, run_ticket_hook


def on_ticket_closed(*, customer_id: int, ticket_id: int, **_) -> None:
    run_ticket_hook.delay(customer_id, ticket_id, HookName.ON_CLOSE)


def on_ticket_escalated(*, customer_id: int, ticket_id: int, **_) -> None:
    run_ticket_hook.delay(customer_id, ticket_id, HookName.ON_ESCALATE)


def on_end_user_added(*, customer_id: int, end_user_id: int, **_) -> None:
    run_end_user_hook.delay(customer_id, end_user_id, HookName.ON_END_USER_ADD)


def on_end_user_updated(*, customer_id: int, end_user_id: int, **_) -> None:
    run_end_user_hook.delay(customer_id, end_user_id, HookName.ON_END_USER_UPDATE)


def on_end_user_deleted(*, customer_id: int, end_user_id: int, **_) -> None:
    run_end_user_hook.delay(customer_id, end_user_id, HookName.ON_END_USER_DELETE)
