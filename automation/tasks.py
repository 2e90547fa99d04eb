"""Automation tasks: thin wrappers that take ids and call one service."""

from celery import shared_task

from automation import services


@shared_task(name="automation.run_action_chain", queue="default", acks_late=True)
def run_action_chain(message_id: int, trigger: str) -> None:
    """Runs the pending action runs of `trigger` on the message (idempotent: finished runs are skipped)."""
    services.action_chain_run(message_id=message_id, trigger=trigger)


@shared_task(name="automation.run_ticket_hook", queue="default", acks_late=True)
def run_ticket_hook(customer_id: int, ticket_id: int, hook_name: str) -> None:
    """A ticket event (OnClose, OnEscalate) → the hook's actions on the ticket's latest message."""
    services.hook_run_for_ticket(customer_id=customer_id, ticket_id=ticket_id, hook_name=hook_name)


@shared_task(name="automation.run_end_user_hook", queue="default", acks_late=True)
def run_end_user_hook(customer_id: int, end_user_id: int, hook_name: str) -> None:
    """An end-user event (OnEndUserAdd/Update/Delete) → the hook's actions on the end user's latest message."""
    services.hook_run_for_end_user(customer_id=customer_id, end_user_id=end_user_id, hook_name=hook_name)


@shared_task(name="automation.delete_scheduled_tickets", queue="default", acks_late=True)
def delete_scheduled_tickets() -> int:
    """Beat: deletes tickets whose DeleteAfterCleanup time has passed."""
    return services.scheduled_deletions_run()


@shared_task(name="automation.sweep_action_chains", queue="default", acks_late=True)
def sweep_action_chains() -> int:
    """Beat: re-queues chains with runs left Pending/Running too long or Waiting past their resume time."""
    chains = services.stalled_chains()
    for message_id, trigger in chains:
        run_action_chain.delay(message_id, trigger)
    return len(chains)
