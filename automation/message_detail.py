"""The `actions` key of the message detail (TicketMessageActionDTO[]), plugged into tickets.registry."""

from django.db.models import Prefetch

from automation.models import TicketMessageAction
from tickets.registry import register_message_detail_field


def render_actions(message) -> list[dict]:
    return [
        {
            "ticketMessageActionID": run.pk,
            "messageID": run.message_id,
            "actionID": run.action_id,
            "actionName": run.action.name,
            "actionType": run.action.action_type,
            "trigger": run.trigger,
            "dateAssigned": run.date_assigned.isoformat(),
            "finishedDate": run.finished_at.isoformat() if run.finished_at else None,
            "status": run.status,
            "priority": run.priority,
            "result": run.result,
        }
        for run in message.action_runs.all()
    ]


def register_message_detail() -> None:
    register_message_detail_field(
        "actions",
        prefetch=[
            Prefetch(
                "action_runs",
                queryset=TicketMessageAction.objects.select_related("action").order_by("-priority", "id"),
            )
        ],
        render=render_actions,
    )
