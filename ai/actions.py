"""The AI action types plugged into automation's registry: Reply (draft), TopicDetection, ReplySend
(draft, then messaging's sender when that app registered one) and FunctionTool (ai.function_tool_action)."""

from ai import selectors, services
from ai.function_tool_action import function_tool_action
from ai.providers.base import AIProviderError, AIProviderUnavailable
from automation.registry import ActionContext, ActionResult, ActionStatus, action_handler, register_action_type
from tickets.models import AIStepStatus


def _provider_failure(error) -> ActionResult:
    """A provider error becomes the run's recorded result (the engine's transaction then keeps the Failed status)."""
    return ActionResult.failed(f"{error.code}: {error.detail}")


def _message(context: ActionContext):
    return selectors.message_for_ai(message_id=context.message_id, customer_id=context.customer_id)


def reply_action(*, context: ActionContext) -> ActionResult:
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    try:
        services.message_reply_draft(message=message)
    except (AIProviderError, AIProviderUnavailable) as error:
        return _provider_failure(error)
    return ActionResult(message="AI reply drafted.")


def topic_detection_action(*, context: ActionContext) -> ActionResult:
    message = _message(context)
    if message is None:
        return ActionResult.failed("The message no longer exists.", stop_chain=True)
    try:
        topic_ids = services.message_topics_detect(message=message)
    except (AIProviderError, AIProviderUnavailable) as error:
        return _provider_failure(error)
    if topic_ids is None:
        return ActionResult(message="No topic applies to this channel.", status=ActionStatus.SKIPPED)
    return ActionResult(message=f"{len(topic_ids)} topic(s) detected.", details={"topicIds": topic_ids})


def reply_send_action_with(send_handler):
    """ReplySend = the AI draft, then the sending handler messaging registered before us (if any)."""

    def reply_send_action(*, context: ActionContext) -> ActionResult:
        message = _message(context)
        if message is None:
            return ActionResult.failed("The message no longer exists.", stop_chain=True)
        if not (message.ai_reply_status == AIStepStatus.COMPLETED and message.ai_generated_response):
            try:
                services.message_reply_draft(message=message)  # the pipeline's draft is reused when it exists
            except (AIProviderError, AIProviderUnavailable) as error:
                return _provider_failure(error)
        if send_handler is None:
            return ActionResult.failed("AI reply drafted, but no sending channel is installed (messaging).")
        return send_handler(context=context)

    return reply_send_action


def register() -> None:
    register_action_type("Reply", reply_action)
    register_action_type("TopicDetection", topic_detection_action)
    register_action_type("ReplySend", reply_send_action_with(action_handler("ReplySend")))
    register_action_type("FunctionTool", function_tool_action)
