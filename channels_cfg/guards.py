"""Channel-type guards: higher apps plug in checks that a customer may run a channel type.

channels_cfg cannot import billing (same floor), so the plan-feature gate (Email → hasEmail, …)
is registered here by messaging's AppConfig.ready(). A guard raises an ApiError to refuse.
"""

from collections.abc import Callable

ChannelTypeGuard = Callable[..., None]

_guards: list[ChannelTypeGuard] = []


def register_channel_type_guard(guard: ChannelTypeGuard) -> None:
    """Register `guard(*, customer_id: int, channel_type: str)`; call from an AppConfig.ready()."""
    if guard not in _guards:
        _guards.append(guard)


def channel_type_check(*, customer_id: int, channel_type: str) -> None:
    """Runs every registered guard; the first to refuse raises."""
    for guard in list(_guards):
        guard(customer_id=customer_id, channel_type=channel_type)
