"""Microsoft Graph mail: an app token from msal (one ConfidentialClientApplication, hence one token
cache, per authority/client/secret) and the Graph REST calls over httpx.

Mailboxes are addressed as `users/{mailbox}/…`, which serves user and shared mailboxes alike.
Throttling (429/503 with Retry-After) is waited out up to `MAX_THROTTLE_WAIT` seconds per call;
longer waits raise `GraphThrottled` so the caller (a task) can retry later."""

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

import httpx
import msal
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from answerpal.outbound_guard import OutboundError, guarded_requests_session
from messaging.mail_settings import GraphCredentials, graph_credentials

MAX_THROTTLE_WAIT = 30
SECRET_EXPIRED_CODE = "AADSTS7000222"
MESSAGE_FIELDS = (
    "id,internetMessageId,conversationId,subject,from,toRecipients,ccRecipients,bccRecipients,"
    "receivedDateTime,sentDateTime,body,bodyPreview,hasAttachments,internetMessageHeaders,isDraft"
)


class GraphError(Exception):
    """A Graph or token failure with the step that failed and Graph's own code and message."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "", step: str = "graph"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.step = step


class GraphSecretExpired(GraphError):
    """The app's client secret has expired (AADSTS7000222 or the customer's recorded expiry)."""


class GraphThrottled(GraphError):
    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, status=429, code="TooManyRequests")
        self.retry_after = retry_after


def graph_base_url() -> str:
    return settings.GRAPH_API_URL


_apps: dict[tuple[str, str, str], msal.ConfidentialClientApplication] = {}
_apps_lock = threading.Lock()


def _msal_app(credentials: GraphCredentials) -> msal.ConfidentialClientApplication:
    key = (
        credentials.authority,
        credentials.client_id,
        hashlib.sha256(credentials.client_secret.encode()).hexdigest(),
    )
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            app = msal.ConfidentialClientApplication(
                credentials.client_id,
                client_credential=credentials.client_secret,
                authority=credentials.authority,
                instance_discovery=False,
                # The authority is tenant-configurable: its discovery document and token endpoint are fetched
                # through the outbound-address guard.
                http_client=guarded_requests_session(timeout=20),
            )
            _apps[key] = app
    return app


def graph_token(credentials: GraphCredentials) -> str:
    """An app-only access token (msal serves it from its cache until shortly before expiry)."""
    if not credentials.complete:
        raise GraphError("Tenant id, client id and client secret are required.", step="configuration")
    if credentials.secret_expires_at and credentials.secret_expires_at <= timezone.now():
        raise GraphSecretExpired(
            f"The Graph client secret expired on {credentials.secret_expires_at:%Y-%m-%d}.",
            code=SECRET_EXPIRED_CODE,
            step="token",
        )
    try:
        result = _msal_app(credentials).acquire_token_for_client(scopes=[credentials.scope])
    except OutboundError as error:
        raise GraphError(str(error), code=error.code, step="token") from error
    except (ValueError, OSError) as error:  # unreachable or invalid authority
        raise GraphError(f"The token authority could not be used: {error}", step="token") from error
    if "access_token" in result:
        return result["access_token"]
    description = result.get("error_description") or result.get("error") or "no token"
    if SECRET_EXPIRED_CODE in description:
        raise GraphSecretExpired(description.splitlines()[0], code=SECRET_EXPIRED_CODE, step="token")
    raise GraphError(description.splitlines()[0], code=result.get("error", ""), step="token")


@dataclass(frozen=True)
class MailFolder:
    id: str
    display_name: str
    path: str
    total_item_count: int


class GraphClient:
    """Graph REST for one set of credentials; a shared httpx.Client may be passed in."""

    def __init__(self, credentials: GraphCredentials, *, http: httpx.Client | None = None):
        self.credentials = credentials
        self.http = http or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))

    def request(self, method: str, path_or_url: str, *, step: str = "graph", **kwargs) -> httpx.Response:
        url = path_or_url if path_or_url.startswith("http") else f"{graph_base_url()}/{path_or_url.lstrip('/')}"
        extra_headers = kwargs.pop("headers", {})
        waited = 0
        while True:
            headers = {"Authorization": f"Bearer {graph_token(self.credentials)}", **extra_headers}
            try:
                response = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as error:
                raise GraphError(f"Graph could not be reached: {error}", step=step) from error
            if response.status_code in (429, 503, 504):
                retry_after = _retry_after(response)
                if waited + retry_after > MAX_THROTTLE_WAIT:
                    raise GraphThrottled(f"Graph asked to wait {retry_after}s.", retry_after=retry_after)
                time.sleep(retry_after)
                waited += retry_after
                continue
            if response.status_code >= 400:
                raise _graph_error(response, step)
            return response

    # mailbox reads -------------------------------------------------------------------------------

    def mailbox_check(self, mailbox: str) -> dict:
        """Reads the mailbox's Inbox folder: proves the token and the Mail permission on this mailbox."""
        return self.request(
            "GET", f"users/{_quote(mailbox)}/mailFolders/inbox", params={"$select": "id,displayName"}, step="mailbox"
        ).json()

    def mail_folders(self, mailbox: str, *, max_depth: int = 4) -> list[MailFolder]:
        """Every folder of the mailbox (child folders included, depth-limited), with a readable path."""
        folders: list[MailFolder] = []

        def walk(url: str, prefix: str, depth: int) -> None:
            params = {"$top": "100", "$select": "id,displayName,childFolderCount,totalItemCount"}
            for item in self._pages(url, params=params, step="folders"):
                path = f"{prefix}/{item['displayName']}" if prefix else item["displayName"]
                folders.append(MailFolder(item["id"], item["displayName"], path, item.get("totalItemCount", 0)))
                if item.get("childFolderCount") and depth < max_depth:
                    walk(f"users/{_quote(mailbox)}/mailFolders/{_quote(item['id'])}/childFolders", path, depth + 1)

        walk(f"users/{_quote(mailbox)}/mailFolders", "", 1)
        return folders

    def messages_delta(
        self, mailbox: str, folder_id: str, delta_link: str = "", *, received_since: datetime | None = None
    ) -> tuple[list[dict], str]:
        """Messages added since `delta_link` (the first time: those received since `received_since`)
        and the next delta link."""
        url = delta_link or f"users/{_quote(mailbox)}/mailFolders/{_quote(folder_id)}/messages/delta"
        params = None
        if not delta_link:
            params = {"$select": "id,internetMessageId,isDraft"}
            if received_since is not None:
                params["$filter"] = f"receivedDateTime ge {received_since:%Y-%m-%dT%H:%M:%SZ}"
        changed: list[dict] = []
        while True:
            body = self.request("GET", url, params=params, step="delta").json()
            changed.extend(item for item in body.get("value", []) if "@removed" not in item)
            if "@odata.nextLink" in body:
                url, params = body["@odata.nextLink"], None
                continue
            return changed, body.get("@odata.deltaLink", "")

    def message_get(self, mailbox: str, message_id: str) -> dict:
        return self.request(
            "GET", f"users/{_quote(mailbox)}/messages/{_quote(message_id)}", params={"$select": MESSAGE_FIELDS}
        ).json()

    def message_attachments(self, mailbox: str, message_id: str) -> list[dict]:
        """File attachments with their base64 `contentBytes` (item and reference attachments are skipped)."""
        url = f"users/{_quote(mailbox)}/messages/{_quote(message_id)}/attachments"
        return [
            item
            for item in self._pages(url, step="attachments")
            if item.get("@odata.type") == "#microsoft.graph.fileAttachment"
        ]

    def sent_message_exists(self, mailbox: str, internet_message_id: str) -> bool:
        """Whether Sent Items holds a message with this Internet-Message-Id (a previous attempt went out)."""
        escaped = internet_message_id.replace("'", "''")
        body = self.request(
            "GET",
            f"users/{_quote(mailbox)}/mailFolders/sentitems/messages",
            params={"$filter": f"internetMessageId eq '{escaped}'", "$select": "id", "$top": "1"},
            step="sent-check",
        ).json()
        return bool(body.get("value"))

    # sending --------------------------------------------------------------------------------------

    def send_mime(self, mailbox: str, mime: bytes) -> None:
        """sendMail with a complete MIME message (our Message-ID and threading headers are kept)."""
        self.request(
            "POST",
            f"users/{_quote(mailbox)}/sendMail",
            content=base64.b64encode(mime),
            headers={"Content-Type": "text/plain"},
            step="send",
        )

    # subscriptions --------------------------------------------------------------------------------

    def subscription_create(self, *, resource: str, notification_url: str, client_state: str, expires: datetime):
        return self.request(
            "POST",
            "subscriptions",
            json={
                "changeType": "created",
                "notificationUrl": notification_url,
                "resource": resource,
                "expirationDateTime": expires.isoformat().replace("+00:00", "Z"),
                "clientState": client_state,
            },
            step="subscribe",
        ).json()

    def subscription_renew(self, subscription_id: str, expires: datetime) -> dict:
        return self.request(
            "PATCH",
            f"subscriptions/{_quote(subscription_id)}",
            json={"expirationDateTime": expires.isoformat().replace("+00:00", "Z")},
            step="renew",
        ).json()

    def subscription_delete(self, subscription_id: str) -> None:
        """Removes a subscription; one Graph no longer knows is already gone."""
        try:
            self.request("DELETE", f"subscriptions/{_quote(subscription_id)}", step="unsubscribe")
        except GraphError as error:
            if error.status != 404:
                raise

    def _pages(self, url: str, *, params: dict | None = None, step: str = "graph") -> Iterator[dict]:
        while url:
            body = self.request("GET", url, params=params, step=step).json()
            yield from body.get("value", [])
            url, params = body.get("@odata.nextLink", ""), None


def _quote(value: str) -> str:
    return quote(value, safe="@.")


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "5")))
    except ValueError:
        return 5


def _graph_error(response: httpx.Response, step: str) -> GraphError:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    message = error.get("message") or response.reason_phrase or "Graph request failed"
    return GraphError(
        f"Graph answered {response.status_code}: {message}",
        status=response.status_code,
        code=error.get("code", ""),
        step=step,
    )


def graph_client_for(channel) -> "GraphClient":
    """A Graph client with the channel's credentials (its override, else its customer's)."""
    return GraphClient(graph_credentials(channel))


def graph_datetime(value: str | None) -> datetime | None:
    """Graph's ISO timestamps (`2026-11-28T10:00:00Z`) as aware datetimes; None for a missing value."""
    return parse_datetime(value.replace("Z", "+00:00")) if value else None
