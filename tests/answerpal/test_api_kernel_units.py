"""Units of the API kernel exercised through a small tenant viewset over real models."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import CustomerRep
from answerpal.api.middleware import CaseInsensitiveQueryDict
from answerpal.api.pagination import WINDOW_TOTAL, page_with_window_count
from answerpal.api.policies import ManageUsers
from answerpal.api.throttling import CustomerRateThrottle
from answerpal.api.tokens import AuthContext, TokenKind
from answerpal.api.viewsets import TenantModelViewSet, TenantViewSet
from tests.accounts.factories import CustomerRepFactory
from tests.conftest import assert_problem


class RepSerializer(serializers.ModelSerializer):
    customerRepID = serializers.IntegerField(source="id", read_only=True)

    class Meta:
        model = CustomerRep
        fields = ["customerRepID", "username", "name"]


class RepViewSet(TenantModelViewSet):
    queryset = CustomerRep.objects.all()
    serializer_class = RepSerializer
    policy = ManageUsers
    sort_fields = {"name": "name", "username": "username"}
    search_fields = ["username", "name"]


class WindowPagedRepViewSet(RepViewSet):
    """Pages with the total in one query when searched; declines (count + page) otherwise."""

    def page_with_total(self, queryset, offset, limit):
        return page_with_window_count(queryset, offset, limit) if "search" in self.request.query_params else None


def _call(rep, query="", action="list", method="get", viewset=RepViewSet, **kwargs):
    request = getattr(APIRequestFactory(), method)(f"/x{query}")
    request.GET = CaseInsensitiveQueryDict(query.lstrip("?"))
    context = AuthContext(customer_id=rep.customer_id, kind=TokenKind.REP, role=rep.role, rep_id=rep.pk)
    force_authenticate(request, user=rep, token=context)
    view = viewset.as_view({method: action})
    return view(request, **kwargs)


def test_case_insensitive_query_dict():
    params = CaseInsensitiveQueryDict("PageNumber=2&status=Open&STATUS=Closed")
    assert params.get("pageNumber") == "2"
    assert "pagenumber" in params
    assert params.getlist("status") == ["Open"]
    assert params.get("missing") is None


def test_overriding_get_queryset_is_refused():
    with pytest.raises(TypeError, match="scope_queryset"):
        type("Bad", (TenantViewSet,), {"get_queryset": lambda self: None})


@pytest.mark.django_db
def test_paging_envelope_clamps_and_sorts(admin_rep):
    for name in ["b", "c", "a"]:
        CustomerRepFactory(customer=admin_rep.customer, name=name)
    CustomerRepFactory(name="foreign")
    response = _call(admin_rep, "?PageNumber=1&pageSize=2&SortBy=NAME&sortOrder=desc")
    assert response.status_code == 200
    assert response.data["totalCount"] == 4
    assert response.data["totalPages"] == 2
    assert [item["name"] for item in response.data["items"]] == ["c", "b"]
    clamped = _call(admin_rep, "?pageSize=1000&pageNumber=-3")
    assert len(clamped.data["items"]) == 4
    beyond = _call(admin_rep, "?pageNumber=9")
    assert beyond.data["items"] == [] and beyond.data["totalCount"] == 4


@pytest.mark.django_db
def test_page_with_total_hook_answers_page_and_total_in_one_query(admin_rep, django_assert_num_queries):
    for name in ["qzx 1", "qzx 2", "qzx 3", "bob"]:
        CustomerRepFactory(customer=admin_rep.customer, name=name)
    CustomerRepFactory(name="qzx foreign")
    with django_assert_num_queries(1):  # page and COUNT(*) OVER () together
        response = _call(admin_rep, "?search=qzx&pageSize=2&pageNumber=2&sortBy=name", viewset=WindowPagedRepViewSet)
    assert response.data["totalCount"] == 3 and response.data["totalPages"] == 2
    assert [item["name"] for item in response.data["items"]] == ["qzx 3"]
    with django_assert_num_queries(2):  # past the end the page is empty: a plain count gives the total
        beyond = _call(admin_rep, "?search=qzx&pageSize=2&pageNumber=5", viewset=WindowPagedRepViewSet)
    assert beyond.data == {"items": [], "totalCount": 3, "totalPages": 2}
    with django_assert_num_queries(1):  # nothing matches on page 1: no count needed
        none = _call(admin_rep, "?search=zzz", viewset=WindowPagedRepViewSet)
    assert none.data == {"items": [], "totalCount": 0, "totalPages": 0}
    with django_assert_num_queries(2):  # the view declines (None): count, then page
        declined = _call(admin_rep, "?pageSize=2", viewset=WindowPagedRepViewSet)
    assert declined.data["totalCount"] == 5 and len(declined.data["items"]) == 2


@pytest.mark.django_db
def test_window_count_page_of_values_rows_drops_the_total_key(admin_rep):
    CustomerRepFactory(customer=admin_rep.customer, name="zed")
    queryset = CustomerRep.objects.filter(customer=admin_rep.customer).order_by("id").values("id", "name")
    rows, total = page_with_window_count(queryset, 1, 10)
    assert total == 2 and rows == [{"id": rows[0]["id"], "name": "zed"}]
    assert all(WINDOW_TOTAL not in row for row in rows)
    reps = CustomerRep.objects.filter(customer=admin_rep.customer).order_by("name")
    models, total = page_with_window_count(reps, 0, 1)
    assert total == 2 and len(models) == 1 and getattr(models[0], WINDOW_TOTAL) == 2


@pytest.mark.django_db
def test_window_count_page_of_a_distinct_queryset_counts_distinct_rows(admin_rep, django_assert_num_queries):
    CustomerRepFactory(customer=admin_rep.customer, name="zed")
    names = (
        CustomerRep.objects.filter(customer=admin_rep.customer).order_by("customer_id").values("customer_id").distinct()
    )
    with django_assert_num_queries(2):  # the window would count before DISTINCT: count, then page
        rows, total = page_with_window_count(names, 0, 10)
    assert total == 1 and rows == [{"customer_id": admin_rep.customer_id}]
    with django_assert_num_queries(1):  # past the end: the count alone
        assert page_with_window_count(names, 5, 10) == ([], 1)


@pytest.mark.django_db
def test_unknown_sort_field_is_a_field_error(admin_rep):
    response = _call(admin_rep, "?sortBy=password")
    response.render()
    body = assert_problem(response, 400, "ValidationFailed")
    assert "sortBy" in body["errors"]


@pytest.mark.django_db
def test_search_filters_by_text(admin_rep):
    CustomerRepFactory(customer=admin_rep.customer, name="Zelda Finder")
    response = _call(admin_rep, "?search=zelda")
    assert [item["name"] for item in response.data["items"]] == ["Zelda Finder"]


@pytest.mark.django_db
def test_other_tenant_detail_is_404(admin_rep):
    foreign = CustomerRepFactory()
    response = _call(admin_rep, action="retrieve", pk=foreign.pk)
    response.render()
    assert_problem(response, 404, "NotFound")


@pytest.mark.django_db
def test_wrong_role_is_403(rep):
    response = _call(rep)
    response.render()
    assert_problem(response, 403, "Forbidden")


@pytest.mark.django_db
def test_rate_limit_answers_429_with_retry_after(admin_rep, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"customer": "2/min"})
    monkeypatch.setattr(RepViewSet, "throttle_classes", [CustomerRateThrottle])
    from django.core.cache import cache

    cache.clear()
    statuses = [_call(admin_rep).status_code for _ in range(3)]
    response = _call(admin_rep)
    response.render()
    assert statuses == [200, 200, 429]
    body = assert_problem(response, 429, "RateLimited")
    assert int(response["Retry-After"]) >= 1
    assert body["error"] == "Too Many Requests"
