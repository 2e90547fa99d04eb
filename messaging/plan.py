"""Which plan feature each channel type needs (billing's feature flags)."""

from billing.permissions import feature_require
from channels_cfg.models import ChannelType

FEATURE_BY_CHANNEL_TYPE = {
    ChannelType.EMAIL: "hasEmail",
    ChannelType.CHAT: "hasChat",
    ChannelType.TEAMS: "hasChat",
    ChannelType.PHONE: "hasPhone",
    ChannelType.WHATSAPP: "hasPhone",
}


def channel_type_in_plan(*, customer_id: int, channel_type: str) -> None:
    """403 FeatureNotInPlan when the customer's plan lacks the feature behind `channel_type`."""
    feature_require(customer_id=customer_id, feature=FEATURE_BY_CHANNEL_TYPE[channel_type])
