"""Hostile input answers 400 problem+json, never 500: deep or odd JSON, oversized forms, numeric
query parameters out of the column's range, LIKE wildcards, and unknown paths before CSRF."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.test import Client, override_settings

from answerpal.api.errors import problem_exception_handler
from answerpal.api.parsers import JsonInputError, json_loads_limited
from automation.rules import RuleError, parse_rules
from documents.api_definition import DefinitionError, parse_headers
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class TestJsonLimits:
    def test_depth_at_the_limit_parses_and_one_more_is_refused(self, settings):
        settings.ANSWERPAL_JSON_MAX_DEPTH = 8
        assert json_loads_limited(_nested(8)) == [[[[[[[[]]]]]]]]
        with pytest.raises(JsonInputError) as refused:
            json_loads_limited(_nested(9))
        assert refused.value.code == "JsonTooDeep"
        with pytest.raises(JsonInputError) as deep_object:
            json_loads_limited('{"a":' * 9 + "1" + "}" * 9)
        assert deep_object.value.code == "JsonTooDeep"

    @pytest.mark.parametrize(
        "text",
        [
            DEEP,
            "[NaN]",
            '{"a": Infinity}',
            '{"a": "x\\u0000y"}',
            '{"\\u0000": 1}',
            "{not json",
            "",
            '{"a": 1e999}',  # infinity once parsed
            '{"a": "\\ud800"}',  # a lone surrogate: PostgreSQL refuses it in text and jsonb
            '{"\\udfff": 1}',
            '{"a": ' + "1" * 5000 + "}",  # longer than Python turns into an int
        ],
    )
    def test_refused_json(self, text):
        with pytest.raises(JsonInputError) as refused:
            json_loads_limited(text)
        assert refused.value.code == ("JsonTooDeep" if text is DEEP else "InvalidJson")

    def test_anonymous_login_with_deep_json_is_400(self, anon_client):
        response = anon_client.post("/api/Auth/login", data=DEEP, content_type="application/json")
        body = assert_problem(response, 400, "JsonTooDeep")
        assert "64 levels" in body["detail"]

    def test_anonymous_login_with_a_5000_digit_number_is_400(self, anon_client):
        body = '{"username": ' + "1" * 5000 + ', "password": "x", "hostname": "acme.test"}'
        response = anon_client.post("/api/Auth/login", data=body, content_type="application/json")
        assert_problem(response, 400, "InvalidJson")

    def test_authenticated_route_with_deep_json_is_400(self, admin_client):
        response = admin_client.put("/api/Customers/me", data=DEEP, content_type="application/json")
        assert_problem(response, 400, "JsonTooDeep")

    def test_json_patch_route_with_deep_document_is_400(self, admin_client, customer):
        ticket = TicketFactory(customer=customer)
        deep_patch = '[{"op": "replace", "path": "/subject", "value": ' + _nested(1000) + "}]"
        response = admin_client.patch(
            f"/api/Tickets/{ticket.pk}", data=deep_patch, content_type="application/json-patch+json"
        )
        assert_problem(response, 400, "JsonTooDeep")
        response = admin_client.patch(
            f"/api/Tickets/{ticket.pk}", data=DEEP, content_type="application/json-patch+json"
        )
        assert_problem(response, 400, "JsonTooDeep")

    def test_invalid_json_and_nul_characters_are_400_invalid_json(self, anon_client):
        assert_problem(
            anon_client.post("/api/Auth/login", data="{x", content_type="application/json"), 400, "InvalidJson"
        )
        nul = json.dumps({"username": "a\u0000b", "password": "x", "hostname": "h"})
        assert_problem(
            anon_client.post("/api/Auth/login", data=nul, content_type="application/json"), 400, "InvalidJson"
        )

    def test_json_held_in_text_fields_is_bounded_too(self):
        with pytest.raises(RuleError, match="nested at most"):
            parse_rules(DEEP)
        with pytest.raises(DefinitionError, match="nested at most"):
            parse_headers(DEEP)
        assert parse_rules('{"all": []}') == {"all": []}


class TestFormLimits:
    def test_json_field_sent_as_form_text_is_bounded(self, admin_client):
        body = {"name": "tool", "documentType": "FunctionTool", "functionParametersSchema": DEEP}
        response = admin_client.post("/api/Documents", body, format="multipart")
        errors = assert_problem(response, 400, "ValidationFailed")["errors"]
        assert "nested at most" in errors["functionParametersSchema"][0]

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
    def test_too_many_form_fields_is_400(self, anon_client):
        fields = "&".join(f"f{index}=x" for index in range(10))
        response = anon_client.post("/api/Auth/login", data=fields, content_type="application/x-www-form-urlencoded")
        assert_problem(response, 400, "TooManyFields")

    @override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
    def test_too_many_multipart_files_is_400(self, admin_client):
        files = [SimpleUploadedFile(f"f{index}.txt", b"hello", content_type="text/plain") for index in range(4)]
        response = admin_client.post("/api/Documents/convert", data={"file": files}, format="multipart")
        assert_problem(response, 400, "TooManyFiles")


class TestQueryParameters:
    @pytest.mark.parametrize("path", ["/api/HookActions", "/api/TopicActions", "/api/TopicDocuments"])
    def test_percent_in_hook_name_is_a_400_naming_the_parameter(self, admin_client, path):
        body = assert_problem(admin_client.get(path, {"hookName": "%"}), 400, "ValidationFailed")
        assert "hookName" in body["errors"]
        assert "'%'" in body["errors"]["hookName"][0]

    def test_wildcards_in_search_match_literally(self, admin_client, customer):
        TicketFactory(customer=customer, subject="100% sure")
        TicketFactory(customer=customer, subject="no percent here")
        found = admin_client.get("/api/Tickets", {"search": "0%"}).json()
        assert [item["subject"] for item in found["items"]] == ["100% sure"]
        assert admin_client.get("/api/Tickets", {"search": "_"}).json()["totalCount"] == 0

    @pytest.mark.parametrize(
        "query",
        [
            {"customerRepID": "-1.79e308"},
            {"customerRepID": "99999999999999999999"},
            {"customerRepID": "-1"},
            {"endUserId": "1.5"},
            {"channelIDs": "1,99999999999999999999"},
        ],
    )
    def test_ticket_filters_out_of_range_are_400_naming_the_field(self, admin_client, query):
        body = assert_problem(admin_client.get("/api/Tickets", query), 400, "ValidationFailed")
        assert set(body["errors"]) == set(query)

    def test_ticket_filters_in_range_still_filter(self, admin_client, customer, admin_rep):
        mine = TicketFactory(customer=customer, customer_rep=admin_rep)
        TicketFactory(customer=customer)
        assert [
            t["ticketID"] for t in admin_client.get("/api/Tickets", {"customerRepID": admin_rep.pk}).json()["items"]
        ] == [mine.pk]
        assert admin_client.get("/api/Tickets", {"customerRepID": "0"}).json()["totalCount"] == 1

    @pytest.mark.parametrize(
        ("path", "query", "field"),
        [
            ("/api/TicketMessages", {"ticketId": "²"}, "ticketId"),
            ("/api/TicketMessages", {"ticketId": "9" * 30}, "ticketId"),
            ("/api/Topics", {"channelId": "9" * 30}, "channelId"),
            ("/api/TopicChannels", {"topicId": "-5"}, "topicId"),
            ("/api/HookActions/wait-seconds", {"hookName": "OnClose", "channelId": "1e400"}, "channelId"),
        ],
    )
    def test_hand_read_ids_are_checked(self, admin_client, path, query, field):
        body = assert_problem(admin_client.get(path, query), 400)
        assert field in body["errors"]

    def test_other_tenants_ticket_still_404(self, admin_client, other_customer):
        ticket = TicketFactory(customer=other_customer)
        assert_problem(admin_client.get("/api/TicketMessages", {"ticketId": ticket.pk}), 404)

    def test_no_token_is_still_401(self, anon_client):
        assert_problem(anon_client.get("/api/Tickets", {"customerRepID": "-1.79e308"}), 401)

    @pytest.mark.parametrize(
        ("path", "query"), [("/api/Tickets", {}), ("/api/Tickets", {"uid": "client@example.com"}), ("/api/Topics", {})]
    )
    def test_a_page_number_beyond_any_offset_is_an_empty_page(self, admin_client, customer, path, query):
        TicketFactory(customer=customer, uid="client@example.com")
        body = admin_client.get(path, {**query, "pageNumber": str(10**30), "pageSize": "100"}).json()
        assert body["items"] == []

    def test_nul_in_the_query_is_400(self, admin_client):
        assert_problem(admin_client.get("/api/Tickets?search=a%00b"), 400, "InvalidQuery")


class TestValuesThatDoNotFitTheColumn:
    def test_topic_id_beyond_bigint_is_a_field_error(self, admin_client, customer):
        message = TicketMessageFactory(customer=customer)
        body = {"messageID": message.pk, "topicID": 2**70}
        response = admin_client.post("/api/TicketMessageTopics", body, format="json")
        assert "topicID" in assert_problem(response, 400, "ValidationFailed")["errors"]

    @pytest.mark.parametrize("error", [OverflowError("Python int too large"), DataError("value too long")])
    def test_database_refusals_of_a_value_are_400_not_500(self, error, rf):
        response = problem_exception_handler(error, {"request": rf.get("/api/Tickets")})
        assert response.status_code == 400 and response.data["code"] == "ValueOutOfRange"


class TestUnknownPaths:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "get", "options"])
    def test_unknown_api_path_is_404_problem_before_csrf(self, method):
        client = Client(enforce_csrf_checks=True)
        response = client.generic(method.upper(), "/api/NoSuchThing/1", data="{}", content_type="application/json")
        assert_problem(response, 404, "NotFound")


def test_schema_declares_problem_responses(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    login = schema["paths"]["/api/Auth/login"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "415", "429"} <= set(login)
    problem = login["400"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "401" in login and login["401"]["description"].startswith("InvalidCredentials")
    tickets = schema["paths"]["/api/Tickets"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404", "429"} <= set(tickets) and "409" not in tickets
    assert {"502", "503"} <= set(schema["paths"]["/api/Translations/translate"]["post"]["responses"])


def test_every_numeric_filter_is_bounded():
    """A bare NumberFilter takes any decimal (-1.79e308) to the database; ids use IdFilter."""
    import importlib.util

    import django_filters
    from django.apps import apps

    from answerpal.api.filters import IdFilter

    names = [f"{config.name}.filters" for config in apps.get_app_configs()]
    filtersets = [importlib.import_module(name) for name in names if importlib.util.find_spec(name)]
    assert len(filtersets) >= 2
    unbounded = [
        f"{filterset.__name__}.{name}"
        for module in filtersets
        for filterset in vars(module).values()
        if isinstance(filterset, type) and issubclass(filterset, django_filters.FilterSet)
        for name, declared in filterset.base_filters.items()
        if isinstance(declared, django_filters.NumberFilter) and not isinstance(declared, IdFilter)
    ]
    assert unbounded == []
