"""Every registered API route keeps tenants apart and refuses anonymous callers.

Detail routes of tenant viewsets are called with another tenant's object id and must answer 404
(and change nothing); lists must not show another tenant's rows; non-public routes answer 401
without a token. Routes with path parameters that are not a tenant viewset's lookup must be
listed in SPECIAL_ROUTES with the test that covers them."""

import pytest

from answerpal.api.viewsets import TenantViewSet
from tests.conftest import assert_problem
from tests.route_walker import api_routes, factory_registry, route_exceptions

# Each app may declare, in tests/<app>/route_exceptions.py:
#   SPECIAL_ROUTES = {"/api/X/{token}/y": "tests/app/test_x.py::test_... proves tenancy"}
#   ANONYMOUS_ALLOWED = {("post", "/api/CustomerReps"): "why"}
#   PARAM_SAMPLES = {"lang": "en"}   (values for path parameters other than the lookup)
SPECIAL_ROUTES, ANONYMOUS_ALLOWED, PARAM_SAMPLES = route_exceptions()


def _lookup(route):
    view = route.view_class
    return getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")


def _detail_routes():
    for route in api_routes():
        if issubclass(route.view_class, TenantViewSet) and _lookup(route) in route.params:
            yield route


def _foreign_object(route, other_customer):
    model = route.view_class.queryset.model
    factory_class = factory_registry().get(model)
    assert factory_class, f"No {model.__name__}Factory in tests/<app>/factories.py for the walker ({route})."
    return factory_class(customer=other_customer)


def test_every_route_with_parameters_is_covered():
    uncovered = []
    for route in api_routes():
        if not route.params or route.is_public or str(route) in SPECIAL_ROUTES:
            continue
        if not (issubclass(route.view_class, TenantViewSet) and _lookup(route) in route.params):
            uncovered.append(str(route))
    assert not uncovered, f"Routes the walker cannot prove tenancy for: {uncovered}"


@pytest.mark.django_db
def test_detail_routes_answer_404_for_another_customers_object(admin_client, other_customer):
    checked = 0
    for route in _detail_routes():
        obj = _foreign_object(route, other_customer)
        model = type(obj)
        values = {name: PARAM_SAMPLES.get(name, "x") for name in route.params}
        values[_lookup(route)] = obj.pk
        path = route.path(**values)
        for method in route.actions:
            response = getattr(admin_client, method)(path, {}, format="json")
            assert response.status_code == 404, f"{method.upper()} {path} answered {response.status_code}"
            assert_problem(response, 404, "NotFound")
            checked += 1
        assert model.objects.filter(pk=obj.pk).exists(), f"{route} deleted another customer's row"
    assert checked > 0


@pytest.mark.django_db
def test_lists_never_show_another_customers_rows(admin_client, other_customer):
    for route in api_routes():
        view = route.view_class
        if route.params or not issubclass(view, TenantViewSet) or route.actions.get("get") != "list":
            continue
        obj = _foreign_object(route, other_customer)
        response = admin_client.get(route.path(), {"pageSize": 100})
        if response.status_code == 400:
            continue  # the list needs a filter (e.g. ticketId); then it cannot show foreign rows
        assert response.status_code == 200, (str(route), response.status_code)
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        id_fields = [name for name, field in view.serializer_class().fields.items() if field.source in ("id", "pk")]
        assert id_fields, f"{view.__name__}'s serializer exposes no id"
        shown = {item.get(name) for item in items for name in id_fields}
        assert obj.pk not in shown, f"GET {route} shows another customer's row"


@pytest.mark.django_db
def test_protected_routes_answer_401_without_token(anon_client):
    for route in api_routes():
        if route.is_public:
            continue
        values = {name: PARAM_SAMPLES.get(name, 1) for name in route.params}
        for method in route.actions:
            if (method, str(route)) in ANONYMOUS_ALLOWED:
                continue
            response = getattr(anon_client, method)(route.path(**values), {}, format="json")
            assert response.status_code == 401, f"{method.upper()} {route} answered {response.status_code}"
