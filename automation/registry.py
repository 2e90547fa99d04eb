"""The action-type registry: higher apps (messaging, ai) plug their action handlers in here.

A handler is `handler(*, context: ActionContext) -> ActionResult`. Automation registers its
built-in types (Close, Delete, DeleteAfterCleanup, MarkSpam, NotSpam, ApiCall, Wait) in its
AppConfig.ready(); messaging registers ReplySend/Forward, ai registers Reply/TopicDetection/
FunctionTool. An action whose type has no handler fails with the recorded reason
`ActionTypeUnavailable` (see automation.engine), never silently.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


class ActionStatus:
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    WAITING = "Waiting"
    SKIPPED = "Skipped"

    FINAL = frozenset({SUCCEEDED, FAILED, SKIPPED})
    CHOICES = [(value, value) for value in (PENDING, RUNNING, SUCCEEDED, FAILED, WAITING, SKIPPED)]


@dataclass(frozen=True)
class ActionContext:
    """What a handler gets: the tenant, the message the action runs on, the action row and the trigger."""

    customer_id: int
    message_id: int
    action: object  # automation.models.Action (typed loosely so higher apps need not import models)
    trigger: str
    run_id: int | None = None


@dataclass(frozen=True)
class ActionResult:
    """A handler's outcome. `finished` False with status Waiting pauses the chain for `resume_after_seconds`;
    `stop_chain` ends the chain after this action (e.g. the message was deleted)."""

    message: str
    finished: bool = True
    status: str = ActionStatus.SUCCEEDED
    resume_after_seconds: int = 0
    stop_chain: bool = False
    details: dict = field(default_factory=dict)

    @classmethod
    def failed(cls, message: str, **kwargs) -> "ActionResult":
        return cls(message=message, finished=True, status=ActionStatus.FAILED, **kwargs)


ActionHandler = Callable[..., ActionResult]

_handlers: dict[str, ActionHandler] = {}


def register_action_type(action_type: str, handler: ActionHandler) -> None:
    """Register (or replace) the handler of `action_type`; call from an AppConfig.ready()."""
    _handlers[action_type] = handler


def action_handler(action_type: str) -> ActionHandler | None:
    """The registered handler of `action_type`, or None when no app provides it."""
    return _handlers.get(action_type)
