"""The outbound HTTP connector used by ApiCall actions and data-retrieval documents.

One call: build the request from the definition (endpoint, method, header and body templates with
`{{…}}` placeholders, request field mappings), authenticate (None / Basic / Bearer / ApiKey header;
the definition's overrides, else the customer's `api*` defaults), send it with timeouts through a
guarded transport, read at most OUTBOUND_MAX_RESPONSE_BYTES, and log the call (ConnectorCall).

Server-side request forgery: every connection (redirect hops included) goes through the kernel's
outbound-address guard (answerpal.outbound_guard: resolved once, internal and reserved addresses refused,
the checked IP connected, TLS verified on the host name; OUTBOUND_ALLOWED_NETWORKS is the operator's
allow-list). Environment proxies are ignored so the guard cannot be bypassed through one.
"""

import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from django.conf import settings

from answerpal.outbound_guard import GuardedTransport, OutboundAddressRefused, OutboundHostUnresolvable, host_check
from automation.models import ConnectorCall
from documents.api_definition import DefinitionError, parse_field_mapping, parse_headers
from documents.placeholders import MISSING, json_string_escape, lookup_path, render_placeholders

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
API_KEY_HEADER = "X-API-Key"


class ConnectorError(Exception):
    """A call that could not be made or completed; `code` is stable (BlockedDestination, Timeout, …)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


class BlockedDestination(ConnectorError):
    def __init__(self, detail: str):
        super().__init__("BlockedDestination", detail)


def _timeout_seconds() -> float:
    return settings.OUTBOUND_TIMEOUT_SECONDS


def _max_response_bytes() -> int:
    return settings.OUTBOUND_MAX_RESPONSE_BYTES


@dataclass
class CallDefinition:
    """What to call: shared by actions and data-retrieval documents (fields of the same names)."""

    endpoint: str
    method: str = "GET"
    headers_template: str = ""
    body_template: str = ""
    request_mapping: str = ""
    base_url: str = ""
    authentication_type: str = "None"
    username: str = ""
    password: str = ""
    token: str = ""
    timeout_seconds: float | None = None


@dataclass
class ConnectorResponse:
    status_code: int
    text: str
    data: object = None  # parsed JSON, when the body is JSON
    duration_ms: int = 0
    size: int = 0
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def definition_for(source, customer, *, request_mapping: str = "") -> CallDefinition:
    """The call definition of an Action or Document, with the customer's api* defaults filled in; the
    override credentials apply when the source sets its own authentication type."""
    override_type = source.override_api_authentication_type
    uses_override_credentials = bool(override_type)
    return CallDefinition(
        endpoint=source.api_endpoint,
        method=source.api_method or "GET",
        headers_template=source.api_headers,
        body_template=source.api_body_template,
        request_mapping=request_mapping,
        base_url=source.override_api_base_url or customer.api_base_url,
        authentication_type=override_type or customer.api_authentication_type or "None",
        username=(source.override_api_username if uses_override_credentials else customer.api_username) or "",
        password=(source.override_api_password if uses_override_credentials else customer.api_password) or "",
        token=(source.override_api_token if uses_override_credentials else customer.api_token) or "",
        timeout_seconds=getattr(source, "tool_call_timeout_seconds", None),
    )


def _url(definition: CallDefinition, context: dict) -> str:
    endpoint = render_placeholders(definition.endpoint.strip(), context, escape=lambda value: quote(value, safe=""))
    if not endpoint:
        raise ConnectorError("MissingEndpoint", "The definition has no apiEndpoint.")
    if "://" not in endpoint:
        if not definition.base_url:
            raise ConnectorError(
                "MissingBaseUrl",
                "apiEndpoint is a relative path but no API base URL is configured (override or customer).",
            )
        endpoint = definition.base_url.rstrip("/") + "/" + endpoint.lstrip("/")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectorError("InvalidEndpoint", "Only http(s) URLs can be called.")
    return endpoint


def loggable_url(url: str) -> str:
    """The URL without credentials and with query values masked (names kept), for the call log."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = "&".join(f"{pair.split('=', 1)[0]}=***" for pair in parts.query.split("&") if pair)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))[:1000]


def _auth_headers(definition: CallDefinition) -> tuple[dict, httpx.Auth | None]:
    kind = definition.authentication_type
    if kind == "Basic":
        return {}, httpx.BasicAuth(definition.username, definition.password)
    if kind == "Bearer":
        if not definition.token:
            raise ConnectorError("MissingCredentials", "Bearer authentication needs an API token.")
        return {"Authorization": f"Bearer {definition.token}"}, None
    if kind == "ApiKey":
        if not definition.token:
            raise ConnectorError("MissingCredentials", "ApiKey authentication needs an API token.")
        return {(definition.username or API_KEY_HEADER): definition.token}, None
    return {}, None


def _request_parts(definition: CallDefinition, context: dict) -> tuple[dict, bytes | None, dict]:
    try:
        header_templates = parse_headers(definition.headers_template)
        mappings = parse_field_mapping(definition.request_mapping)
    except DefinitionError as error:
        raise ConnectorError("InvalidDefinition", str(error)) from error
    headers = {
        name: render_placeholders(value, context).replace("\r", " ").replace("\n", " ")
        for name, value in header_templates.items()
    }
    mapped = {}
    for mapping in mappings:
        value = lookup_path(context, mapping["source"])
        mapped[mapping["target"]] = None if value is MISSING else value
    body_template = definition.body_template or ""
    lowered = {name.lower() for name in headers}
    params: dict = {}
    if body_template.strip():
        looks_json = body_template.lstrip().startswith(("{", "["))
        body = render_placeholders(body_template, context, escape=json_string_escape if looks_json else None)
        if looks_json and "content-type" not in lowered:
            headers["Content-Type"] = "application/json"
        content = body.encode()
    elif mapped and definition.method not in ("GET", "DELETE"):
        headers.setdefault("Content-Type", "application/json")
        content = json.dumps(mapped, default=str).encode()
    else:
        content = None
        params = {key: "" if value is None else str(value) for key, value in mapped.items()}
    return headers, content, params


def connector_call(
    *,
    definition: CallDefinition,
    context: dict,
    customer_id: int,
    action_id: int | None = None,
    document_id: int | None = None,
    message_id: int | None = None,
) -> ConnectorResponse:
    """Makes the call and logs it (ConnectorCall row); raises ConnectorError for refused, failed or
    oversized calls (logged too). Non-2xx answers are returned, not raised."""
    method = (definition.method or "GET").upper()
    url = _url(definition, context)
    log = ConnectorCall(
        customer_id=customer_id,
        action_id=action_id,
        document_id=document_id,
        message_id=message_id,
        method=method,
        url=loggable_url(url),
    )
    started = time.monotonic()
    try:
        response = _send(definition, method, url, context, started)
    except ConnectorError as error:
        log.duration_ms = int((time.monotonic() - started) * 1000)
        log.error_code, log.error = error.code, error.detail[:2000]
        log.save()
        raise
    log.status_code, log.duration_ms, log.response_bytes = response.status_code, response.duration_ms, response.size
    log.save()
    return response


def _credential_guard(url: str, auth_headers: dict):
    """A request hook that drops credential headers when a redirect leaves the original origin (httpx itself
    only drops Authorization, not an API-key header)."""
    origin = httpx.URL(url)

    def strip(request: httpx.Request) -> None:
        if (request.url.scheme, request.url.host, request.url.port) != (origin.scheme, origin.host, origin.port):
            for name in auth_headers:
                request.headers.pop(name, None)

    return strip


def _send(definition: CallDefinition, method: str, url: str, context: dict, started: float) -> ConnectorResponse:
    try:
        host_check(urlsplit(url).hostname or "")  # an internal IP literal in any spelling, before httpx parses it
    except OutboundAddressRefused as error:
        raise BlockedDestination(str(error)) from error
    headers, content, params = _request_parts(definition, context)
    if params:  # httpx's `params=` would replace the endpoint's own query string; merge instead
        url = str(httpx.URL(url).copy_merge_params(params))
    auth_headers, auth = _auth_headers(definition)
    headers.update(auth_headers)
    total = float(definition.timeout_seconds or _timeout_seconds())
    limit = _max_response_bytes()
    deadline = started + total
    try:
        with (
            httpx.Client(
                transport=GuardedTransport(),
                timeout=httpx.Timeout(total, connect=min(total, 5.0)),
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                trust_env=False,
                event_hooks={"request": [_credential_guard(url, auth_headers)]},
            ) as client,
            client.stream(method, url, headers=headers, content=content, auth=auth) as response,
        ):
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise ConnectorError("ResponseTooLarge", f"The response is {declared} bytes; the limit is {limit}.")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise ConnectorError("ResponseTooLarge", f"The response exceeded {limit} bytes; reading stopped.")
                if time.monotonic() > deadline:
                    raise ConnectorError("Timeout", f"The call took longer than {total:g} seconds.")
                chunks.append(chunk)
            body = b"".join(chunks)
            status_code, encoding = response.status_code, response.encoding or "utf-8"
            response_headers = dict(response.headers)
    except OutboundAddressRefused as error:
        raise BlockedDestination(str(error)) from error
    except OutboundHostUnresolvable as error:
        raise ConnectorError("UnresolvableHost", str(error)) from error
    except httpx.TimeoutException as error:
        raise ConnectorError("Timeout", f"The call took longer than {total:g} seconds.") from error
    except httpx.TooManyRedirects as error:
        raise ConnectorError("TooManyRedirects", f"More than {MAX_REDIRECTS} redirects.") from error
    except httpx.HTTPError as error:
        raise ConnectorError("ConnectionFailed", f"The call failed: {type(error).__name__}.") from error
    text = body.decode(encoding, errors="replace")
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        data = None
    return ConnectorResponse(
        status_code=status_code,
        text=text,
        data=data,
        duration_ms=int((time.monotonic() - started) * 1000),
        size=len(body),
        headers=response_headers,
    )


def response_values(data, mapping_text: str) -> dict:
    """{target: value} for each {source, target} response mapping whose source path exists in `data`."""
    try:
        mappings = parse_field_mapping(mapping_text)
    except DefinitionError as error:
        raise ConnectorError("InvalidDefinition", str(error)) from error
    values = {}
    for mapping in mappings:
        value = _json_path(data, mapping["source"])
        if value is not MISSING:
            values[mapping["target"]] = value
    return values


def _json_path(data, path: str):
    value = data
    for key in path.split("."):
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return MISSING
    return value
