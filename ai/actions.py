"""The AI action types plugged into automation's registry: Reply (draft), TopicDetection and ReplySend
(draft, then messaging's sender when that app registered one)."""

from ai import selectors, services
from automation.registry import ActionContext, ActionResult, ActionStatus, action_handler, register_action_type


def _message(context: ActionContext):
    return selectors.message_for_ai(message_id=context.message_id, customer_id=context.customer_id)


def reply_action(*, context: ActionContext) -> ActionResult:
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    services.message_reply_draft(message=message)
    return ActionResult(message="AI reply drafted.")


def topic_detection_action(*, context: ActionContext) -> ActionResult:
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    topic_ids = services.message_topics_detect(message=message)
    return ActionResult(message=f"{len(topic_ids)} topic(s) detected.", details={"topicIds": topic_ids})


def reply_send_action_with(send_handler):
    """ReplySend = the AI draft, then the sending handler messaging registered before us (if any)."""

    def reply_send_action(*, context: ActionContext) -> ActionResult:
        drafted = reply_action(context=context)
        if drafted.status != ActionStatus.SUCCEEDED:
            return drafted
        if send_handler is None:
            return ActionResult.failed("AI reply drafted, but no sending channel is installed (messaging).")
        return send_handler(context=context)

    return reply_send_action


def register() -> None:
    register_action_type("Reply", reply_action)
    register_action_type("TopicDetection", topic_detection_action)
    register_action_type("ReplySend", reply_send_action_with(action_handler("ReplySend")))
