"""Lets respx intercept the `httpx2` fork that openai 3.x is built on (respx only patches `httpx`).

Registers a respx mocker named "httpx2": it patches `httpx2.Client/AsyncClient._transport_for_url`
exactly like respx's own httpx mocker, converts each httpx2 request into an httpx request for the
respx router, and the router's httpx response (or exception) back into httpx2. Use it as
`respx.mock(using="httpx2")`; the real openai client, its retries and its streaming stay in play."""

import inspect

import httpx
import httpx2
from respx.mocks import Mocker
from respx.transports import TryTransport


def _to_httpx_request(request: httpx2.Request) -> httpx.Request:
    return httpx.Request(
        request.method, str(request.url), headers=list(request.headers.multi_items()), content=request.content
    )


def _to_httpx2_response(response: httpx.Response, request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(
        response.status_code,
        headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"],
        content=response.read(),
        request=request,
    )


def _to_httpx2_error(error: httpx.HTTPError, request: httpx2.Request) -> Exception:
    error_class = getattr(httpx2, type(error).__name__, httpx2.TransportError)
    return error_class(str(error), request=request)


class HTTPX2Mocker(Mocker):
    name = "httpx2"
    targets = ["httpx2._client.Client", "httpx2._client.AsyncClient"]
    target_methods = ["_transport_for_url"]

    @classmethod
    def bridged(cls, request: httpx2.Request) -> httpx2.Response:
        try:
            response = cls.handler(_to_httpx_request(request))
        except httpx.HTTPError as error:
            raise _to_httpx2_error(error, request) from error
        return _to_httpx2_response(response, request)

    @classmethod
    async def async_bridged(cls, request: httpx2.Request) -> httpx2.Response:
        try:
            response = await cls.async_handler(_to_httpx_request(request))
        except httpx.HTTPError as error:
            raise _to_httpx2_error(error, request) from error
        return _to_httpx2_response(response, request)

    @classmethod
    def mock(cls, spec):
        def _transport_for_url(self, *args, **kwargs):
            handler = cls.async_bridged if inspect.iscoroutinefunction(self.request) else cls.bridged
            return TryTransport([httpx2.MockTransport(handler), spec(self, *args, **kwargs)])

        return _transport_for_url
