"""Every route answers 403 to the callers its declared policy refuses.

For each route and method, the permission classes come from the view's `policy` / `policies` (the only way
views declare access: answerpal.api.viewsets.DeclaredPolicies). From them the walker derives which of a
Representative, a Supervisor and a phone token lack the route's policy, calls the route as each of them and
expects 403 problem+json; a plan feature gate (billing.permissions.RequiresFeature) is proven with an
Administrator whose plan lacks the feature (403 FeatureNotInPlan). Permissions run before the object lookup
and the body, so any id and an empty body serve.

Routes no token kind is refused on are public (AllowAny: login, provider callbacks, token-keyed web-chat and
file routes, proven by their apps' tests and the route walker's ANONYMOUS_ALLOWED) or open to phone tokens
(TicketAccessOrPhoneAuth, TicketCreateFromPhone), whose refusal of another channel's data is the apps' tests'
(PhoneChannelMismatch / 404)."""

import pytest
from rest_framework.permissions import AllowAny

from answerpal.api.policies import Role, policies_for
from answerpal.api.tokens import TokenKind
from tests.conftest import assert_problem
from tests.route_walker import api_routes, route_exceptions

_, _, PARAM_SAMPLES = route_exceptions()
CALLERS = {
    "Representative": (TokenKind.REP, Role.REPRESENTATIVE),
    "Supervisor": (TokenKind.REP, Role.SUPERVISOR),
    "phone token": (TokenKind.PHONE, None),
}


def _checks():
    """(route, method, caller name or feature) for every refusal a declared policy implies."""
    for route in api_routes():
        for method, action in route.actions.items():
            permissions = route.view_class.policy_for(action)
            if AllowAny in permissions:
                continue
            for permission in permissions:
                if getattr(permission, "feature", None):
                    yield route, method, f"feature:{permission.feature}"
                policy = getattr(permission, "policy", None)
                if policy is None:
                    continue
                for name, (kind, role) in CALLERS.items():
                    if policy not in policies_for(kind=kind, role=role):
                        yield route, method, name


CHECKS = list(_checks())


def _path(route) -> str:
    return route.path(**{name: PARAM_SAMPLES.get(name, "1") for name in route.params})


def test_the_walker_finds_refusals_on_most_routes():
    routes = {str(route) for route, _, _ in CHECKS}
    assert len(routes) > 100, len(routes)


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "caller"), CHECKS, ids=lambda v: str(v).replace(" ", "_"))
def test_declared_policy_refuses(request, customer, route, method, caller):
    if caller.startswith("feature:"):
        feature = caller.split(":", 1)[1]
        subscription = customer.subscription
        subscription.feature_overrides = {**(subscription.feature_overrides or {}), feature: False}
        subscription.save()
        client, code = request.getfixturevalue("admin_client"), "FeatureNotInPlan"
    else:
        fixture = {"Representative": "rep_client", "Supervisor": "supervisor_client", "phone token": "phone_client"}
        client, code = request.getfixturevalue(fixture[caller]), None
    response = getattr(client, method)(_path(route), {}, format="json")
    assert_problem(response, 403, code)
