"""The subscription-plan port customers owns: billing (a higher floor) registers its implementation at startup
(BillingConfig.ready), so customers never imports billing; calling it before that is ImproperlyConfigured."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class PlanFacts:
    """What a customer's subscription allows a default model slot: the plan level and fine-tuned models."""

    level: int
    fine_tuned_models: bool


@dataclass(frozen=True)
class PlanPort:
    """The four plan operations customers needs, each one billing function called with keyword arguments."""

    plan_exists: Callable[..., bool]  # (code) -> whether a plan with that code exists
    subscribe: Callable[..., object]  # (customer_id, plan_code) -> the new subscription
    facts: Callable[..., PlanFacts | None]  # (customer_id) -> the subscription's facts, None without one
    levels: Callable[..., dict[str, int]]  # (codes) -> level of each existing plan code


_registered: list[PlanPort] = []


def plans_register(port: PlanPort) -> None:
    """Installs the implementation (the last registration wins, so tests may swap it)."""
    _registered[:] = [port]


def plan_port() -> PlanPort:
    """The registered implementation; ImproperlyConfigured when billing is not installed."""
    if not _registered:
        raise ImproperlyConfigured(
            "No subscription-plan implementation is registered: add billing.apps.BillingConfig to INSTALLED_APPS."
        )
    return _registered[0]
