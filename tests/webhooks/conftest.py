"""A real webhook receiver on 127.0.0.1 (http.server in a thread) that verifies every delivery with the
`standardwebhooks` package, can be down (connection refused) or answer 500, and counts what it accepted."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self):
        self.secrets: list[str] = []
        self.answer_status = 200
        self.answer_delay = 0.0
        self.answer_body = b""
        self.answer_drip = False  # answer 200, then one body byte every 0.1 s
        self.accepted: list[dict] = []  # verified deliveries answered 2xx: {"id", "type", "data", "headers"}
        self.refused_signatures = 0
        self.requests = 0
        self.port = 0
        self._server = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verify(self, body: bytes, headers: dict) -> dict:
        """Accepted when ANY configured secret verifies (the receiver's side of a rotation)."""
        last_error = None
        for secret in self.secrets:
            try:
                return Webhook(secret).verify(body, headers)
            except WebhookVerificationError as error:
                last_error = error
        raise last_error or WebhookVerificationError("no secret")

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {key.lower(): value for key, value in self.headers.items()}
                with receiver._lock:
                    receiver.requests += 1
                    status = receiver.answer_status
                    try:
                        payload = receiver.verify(body, headers)
                    except WebhookVerificationError:
                        receiver.refused_signatures += 1
                        status = 400
                    else:
                        if 200 <= status < 300:
                            receiver.accepted.append(
                                {
                                    "id": headers["webhook-id"],
                                    "type": payload["type"],
                                    "data": payload["data"],
                                    "headers": headers,
                                    "body": body,
                                }
                            )
                if receiver.answer_delay:
                    time.sleep(receiver.answer_delay)
                if receiver.answer_drip:
                    self.send_response(200)
                    self.send_header("content-length", "1000")
                    self.end_headers()
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        for _ in range(1000):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.1)
                    return
                answer = receiver.answer_body or json.dumps({"ok": 200 <= status < 300}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer)  # the sender may stop reading at its cap, or time out

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        """Down: the port refuses connections until start() binds it again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        return [item["id"] for item in self.accepted]


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = "127.0.0.1/32"  # loopback is allowed in these tests only
    server = Receiver()
    server.start()
    yield server
    server.stop()
