"""The effective mail settings of a channel: its overrides when `overrideEmailSettings` is on, else the
customer's defaults. Passwords of IMAP/SMTP live on the channel (the customer has only servers)."""

from dataclasses import dataclass
from datetime import datetime

from channels_cfg.models import Channel, EmailProvider

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass(frozen=True)
class GraphCredentials:
    tenant_id: str
    client_id: str
    client_secret: str
    authority_url: str
    scope: str
    secret_expires_at: datetime | None

    @property
    def authority(self) -> str:
        """The authority URL with the tenant as its last segment (added unless already there)."""
        base = self.authority_url.rstrip("/")
        return base if base.endswith(f"/{self.tenant_id}") else f"{base}/{self.tenant_id}"

    @property
    def complete(self) -> bool:
        return bool(self.tenant_id and self.client_id and self.client_secret)


@dataclass(frozen=True)
class ServerSettings:
    """An IMAP or SMTP server login."""

    host: str
    port: int
    username: str
    password: str
    use_ssl: bool

    @property
    def complete(self) -> bool:
        return bool(self.host and self.username and self.password)


def mail_provider(channel: Channel) -> str:
    """Microsoft365 or Imap: the channel's choice, else the customer's default (blank when none)."""
    provider = channel.email_provider_type or channel.customer.email_provider_type
    return provider if provider in EmailProvider.values else ""


def graph_credentials(channel: Channel) -> GraphCredentials:
    customer = channel.customer
    if channel.override_email_settings and channel.override_graph_client_id:
        return GraphCredentials(
            tenant_id=channel.override_graph_tenant_id,
            client_id=channel.override_graph_client_id,
            client_secret=channel.override_graph_client_secret,
            authority_url=channel.override_graph_authority_url or DEFAULT_AUTHORITY,
            scope=channel.override_graph_scope or DEFAULT_GRAPH_SCOPE,
            secret_expires_at=None,
        )
    return GraphCredentials(
        tenant_id=customer.graph_tenant_id,
        client_id=customer.graph_client_id,
        client_secret=customer.graph_client_secret,
        authority_url=customer.graph_authority_url or DEFAULT_AUTHORITY,
        scope=customer.graph_scope or DEFAULT_GRAPH_SCOPE,
        secret_expires_at=customer.graph_client_secret_expires_at,
    )


def imap_settings(channel: Channel) -> ServerSettings:
    customer = channel.customer
    override = channel.override_email_settings
    use_ssl = channel.override_imap_use_ssl if override and channel.override_imap_server else customer.imap_use_ssl
    return ServerSettings(
        host=(override and channel.override_imap_server) or customer.imap_server,
        port=(override and channel.override_imap_port) or customer.imap_port or (993 if use_ssl else 143),
        username=channel.override_imap_username or channel.email_address,
        password=channel.override_imap_password,
        use_ssl=use_ssl,
    )


def smtp_settings(channel: Channel) -> ServerSettings:
    customer = channel.customer
    override = channel.override_email_settings
    use_ssl = channel.override_smtp_use_ssl if override and channel.override_smtp_server else customer.smtp_use_ssl
    return ServerSettings(
        host=(override and channel.override_smtp_server) or customer.smtp_server,
        port=(override and channel.override_smtp_port) or customer.smtp_port or (465 if use_ssl else 587),
        username=channel.override_smtp_username or channel.override_imap_username or channel.email_address,
        password=channel.override_smtp_password or channel.override_imap_password,
        use_ssl=use_ssl,
    )
