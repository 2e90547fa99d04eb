"""The API kernel: problem+json errors, case-insensitive routing, health, schema and docs."""

import pytest
from django.test import override_settings

from tests.conftest import assert_problem


@pytest.mark.django_db
def test_unknown_api_path_is_problem_json(anon_client):
    body = assert_problem(anon_client.get("/api/NoSuchThing"), 404, "NotFound")
    assert body["instance"] == "/api/NoSuchThing"


@pytest.mark.django_db
def test_invalid_token_is_401_problem(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = anon_client.get("/api/Customers/me")
    assert_problem(response, 401, "InvalidToken")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_trace_id_is_echoed(anon_client):
    response = anon_client.get("/api/NoSuchThing", HTTP_X_REQUEST_ID="trace-123")
    assert response["X-Request-ID"] == "trace-123"
    assert response.json()["traceId"] == "trace-123"


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_oversized_json_body_is_413(anon_client):
    response = anon_client.post("/api/Auth/login", {"username": "x" * 500}, format="json")
    assert_problem(response, 413, "PayloadTooLarge")


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "in-process"}


@pytest.mark.django_db
def test_schema_and_offline_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


def test_canonical_path_handles_a_segment_spelled_two_ways():
    from answerpal.api.routing import canonical_path

    assert canonical_path("/api/endusers/5/TICKETS") == "/api/EndUsers/5/tickets"
    assert canonical_path("/api/tickets/5") == "/api/Tickets/5"
    assert canonical_path("/api/nothing/here") == "/api/nothing/here"


@pytest.mark.django_db
def test_authentication_does_not_decrypt_the_customers_secrets(admin_client, customer, monkeypatch):
    from answerpal import fields

    customer.openai_api_key = "sk-secret-value"
    customer.graph_client_secret = "graph-secret"
    customer.save()
    calls = []
    real = fields.decrypt_text
    monkeypatch.setattr(fields, "decrypt_text", lambda value: calls.append(value) or real(value))
    assert admin_client.get("/api/CustomerReps/me").status_code == 200
    assert calls == []


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("path", ["/api/NoSuchThing", "/api/tickets/not-a-number", "/api/Tickets/1/nope/"])
def test_unknown_api_paths_are_problem_json_with_or_without_debug(anon_client, settings, debug, path):
    settings.DEBUG = debug
    for method in ("get", "post", "delete"):
        response = getattr(anon_client, method)(path)
        assert response["Content-Type"] == "application/problem+json"
        assert_problem(response, 404, "NotFound")


def test_the_catch_all_leaves_casing_and_trailing_slashes_to_the_real_routes(admin_client):
    assert admin_client.get("/api/customerreps/me/").status_code == 200
    assert admin_client.get("/api/CUSTOMERREPS/ME").status_code == 200
