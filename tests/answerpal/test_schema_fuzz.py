"""Schema-driven fuzz test: schemathesis generates requests for every operation of /api/schema/.

Every operation is called as an Administrator and anonymously with generated data, valid (positive)
and invalid (negative), through the WSGI application in-process. A response is never a 500 (502/503
only where declared, as a provider's answer), no value may reach the database unchecked, and it
must match the schema: a declared status code, a declared content type and a body that validates
against the declared schema. Valid data runs against seeded resources (one of each, by path id).
Each case runs in a savepoint rolled back afterwards, so cases do not see each other's writes and
a run is reproducible (derandomized Hypothesis, no example database).

Bounds (FUZZ_* environment variables override them): examples per operation and generation mode,
and a time budget after which the remaining operations are skipped (the run fails then: a budget
that is too small must be noticed, not hidden).
"""

import contextlib
import logging
import os
import socket
import time
import traceback
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.factories import RepSignatureFactory
from tests.automation.factories import (
    ActionFactory,
    HookActionFactory,
    TopicActionFactory,
    TopicChannelFactory,
    TopicDocumentFactory,
)
from tests.channels_cfg.factories import ChannelFolderFactory, ChannelTranslationFactory
from tests.conftest import rep_token
from tests.customers.factories import CustomFieldDefinitionFactory
from tests.documents.factories import DocumentFactory
from tests.places.factories import PlaceDescriptionRoomFactory
from tests.tickets.factories import EndUserUIDFactory, TicketFactory, TicketMessageAttachmentFactory
from tests.webwidget.factories import ChatWidgetFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))  # per operation and mode: 20 per operation
# Anonymously, an operation that needs a token only proves its 401 (declared, problem+json).
ANONYMOUS_PROTECTED_EXAMPLES = int(os.environ.get("FUZZ_ANONYMOUS_PROTECTED_EXAMPLES", "2"))
BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "600"))  # per test; a guard against a hang
# The provider answers a view may give by design (declared on views with `calls_provider`): the
# fuzzed tenant has no AI model, Twilio account or mailbox configured, and there is no network.
PROVIDER_STATUSES = {502, 503}


def no_server_error(ctx, response, case):
    """No 500 ever; 502/503 only as declared provider answers (status_code_conformance checks that)."""
    if response.status_code >= 500 and response.status_code not in PROVIDER_STATUSES:
        raise AssertionError(f"Server error {response.status_code}")


CHECKS = [no_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

PAGE_HOST = "shop.example.com"  # the seeded chat channel's site; every request comes from its page
PAGE_HEADERS = {"Origin": f"https://{PAGE_HOST}"}
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost", b"127.0.0.1", b"localhost"}

# Operations left out, each with the reason. None needs it: nothing leaves the process (name lookups
# of other hosts fail, see no_network), and the tenant has no OpenAI key or Twilio account, so the
# routes that would call them answer their declared 503.
EXCLUDED: dict[tuple[str, str], str] = {}


@dataclass
class FuzzReport:
    """What a run covered; `seeded` counts the operations also called with the seed's path ids."""

    operations: int = 0
    requests: int = 0
    seeded: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@pytest.fixture
def no_network(monkeypatch):
    """Nothing leaves the machine: a name lookup of any host but the test services' (PostgreSQL,
    Redis on the loopback) fails as for an unknown host, so test-connection, ApiCall actions and the
    like answer their own error."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host in LOOPBACK_HOSTS:
            return real_getaddrinfo(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (fuzz test: no network)")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def wsgi_app(no_network):
    """The real WSGI handler, sharing the test's connection and transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seed(customer, admin_rep):
    """One of each resource of the Administrator's customer, so calls with these ids reach the views'
    real work instead of a 404: path parameter name (or `<first segment>:id`) → value."""
    chat = ChatWidgetFactory(customer=customer, channel__hostnames=PAGE_HOST).channel
    attachment = TicketMessageAttachmentFactory(
        customer=customer, message__ticket__channel=chat, message__ticket__customer_rep=admin_rep
    )
    message = attachment.message
    ticket = message.ticket
    uid = EndUserUIDFactory(customer=customer, end_user=ticket.end_user)
    TicketFactory(customer=customer, channel=chat)
    document = DocumentFactory(customer=customer)
    link = TopicDocumentFactory(customer=customer, document=document)
    topic_channel = TopicChannelFactory(customer=customer, topic=link.topic, channel=chat)
    action = ActionFactory(customer=customer)
    hook_action = HookActionFactory(customer=customer, action=action)
    room = PlaceDescriptionRoomFactory(customer=customer)
    RepSignatureFactory(rep=admin_rep, lang="en")
    ids = {
        "Tickets": ticket.pk,
        "TicketMessages": message.pk,
        "CustomerReps": admin_rep.pk,
        "Channels": chat.pk,
        "ChannelFolders": ChannelFolderFactory(customer=customer, channel=chat).pk,
        "ChannelTranslations": ChannelTranslationFactory(customer=customer, channel=chat).pk,
        "EndUsers": ticket.end_user_id,
        "PlaceDescriptionReports": room.report_id,
        "PlaceDescriptionRooms": room.pk,
        "Topics": link.topic_id,
        "TopicDocuments": link.pk,
        "TopicChannels": topic_channel.pk,
        "TopicActions": TopicActionFactory(customer=customer, topic=link.topic, action=action).pk,
        "HookActions": hook_action.pk,
        "Actions": action.pk,
        "Documents": document.pk,
        "CustomerCustomFields": CustomFieldDefinitionFactory(customer=customer).pk,
    }
    return {
        **{f"{segment}:id": value for segment, value in ids.items()},
        "channelId": chat.pk,
        "channelToken": str(chat.token),
        "ticket_token": str(ticket.token),
        "message_id": message.pk,
        "tracking_token": str(message.tracking_token),
        "attachment_id": attachment.pk,
        "access_token": str(attachment.access_token),
        "uid": uid.uid,
        "lang": "en",
        "repID": admin_rep.pk,
    }


def _seeded_path_parameters(operation, seed: dict) -> dict | None:
    """The seed's values for every path parameter of the operation, or None when one is unknown."""
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return None
    segment = operation.path.split("/")[2]
    values = {name: seed.get(f"{segment}:{name}", seed.get(name)) for name in names}
    return None if None in values.values() else values


@pytest.fixture
def server_errors():
    """Tracebacks of exceptions the views raised (answered as 500 by handler500) and values that
    reached the database unchecked (answered 400 ValueOutOfRange), newest last."""
    seen: list[str] = []

    def record(sender, request=None, **kwargs):
        seen.append(traceback.format_exc())

    class UncheckedValue(logging.Handler):
        """The handler's ValueOutOfRange safety net caught a value no field checked: a defect too."""

        def emit(self, record):
            seen.append(f"unchecked value: {record.getMessage()}\n")

    handler = UncheckedValue(level=logging.WARNING)
    errors_logger = logging.getLogger("answerpal.api.errors")
    got_request_exception.connect(record)
    errors_logger.addHandler(handler)
    yield seen
    errors_logger.removeHandler(handler)
    got_request_exception.disconnect(record)


def _load_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    schema.config.generation.update(
        max_examples=EXAMPLES, deterministic=True, database="none", with_security_parameters=False
    )
    return schema


def _is_public(operation) -> bool:
    """The schema marks operations that need no token with an empty security requirement."""
    return {} in (operation.definition.raw.get("security") or [{}])


def _fuzz(app, headers: dict, server_errors: list[str], seed: dict) -> FuzzReport:
    schema = _load_schema(app)
    report = FuzzReport()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key in EXCLUDED:
            continue
        if time.monotonic() - started > BUDGET_SECONDS:
            report.skipped.append(f"{key[0]} {key[1]}")
            continue
        report.operations += 1
        examples = EXAMPLES if "Authorization" in headers or _is_public(operation) else ANONYMOUS_PROTECTED_EXAMPLES
        # Valid data reaches the seeded resources where the path names them; invalid data (and so
        # invalid ids) goes through generated paths.
        path_parameters = _seeded_path_parameters(operation, seed)
        report.seeded += path_parameters is not None
        strategies = [
            (GenerationMode.POSITIVE, operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters)),
            (GenerationMode.NEGATIVE, operation.as_strategy(GenerationMode.NEGATIVE)),
        ]
        for mode, strategy in strategies:
            _fuzz_operation(operation, mode, strategy, examples, headers, server_errors, report)
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(operation, mode, strategy, examples: int, headers, server_errors, report: FuzzReport) -> None:
    first_failure: list[str] = []

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case):
        if first_failure:
            return
        errors_before = len(server_errors)
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                report.requests += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    assert len(server_errors) == errors_before, "the server logged an error"
                except (AssertionError, FailureGroup) as error:
                    trace = "".join(server_errors[errors_before:])
                    first_failure.append(
                        f"{operation.method.upper()} {operation.path} [{mode.value}] -> {response.status_code}\n"
                        f"{case.as_curl_command(headers=headers)}\n{error}\n{response.text[:600]}\n{trace}"
                    )
            finally:
                transaction.set_rollback(True)

    # Unsatisfiable: nothing to negate (an operation without parameters or body has no invalid input).
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()
    report.failures.extend(first_failure)


def _assert_clean(report: FuzzReport, who: str) -> None:
    print(
        f"\nschema fuzz ({who}): {report.operations} operations ({report.seeded} also with seeded ids), "
        f"{report.requests} requests, "
        f"{report.seconds:.1f} s, {len(report.failures)} failing operations"
    )
    assert not report.skipped, f"time budget of {BUDGET_SECONDS} s exhausted; not fuzzed: {report.skipped}"
    assert not report.failures, "\n\n".join(report.failures)


def test_fuzz_as_administrator(wsgi_app, server_errors, admin_rep, seed):
    headers = {**PAGE_HEADERS, "Authorization": f"Bearer {rep_token(admin_rep)}"}
    report = _fuzz(wsgi_app, headers, server_errors, seed)
    _assert_clean(report, "Administrator")


def test_fuzz_anonymous(wsgi_app, server_errors, seed):
    report = _fuzz(wsgi_app, PAGE_HEADERS, server_errors, seed)
    _assert_clean(report, "anonymous")
