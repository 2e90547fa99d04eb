import pytest

from answerpal.events import Event, subscribe
from channels_cfg.models import Channel, ChannelType, TopicPolicyMode
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def _email_body(**extra):
    return {"channelType": "Email", "name": "Support", "emailAddress": "support@acme.test", **extra}


def test_list_is_an_unpaged_array_of_own_live_channels(rep_client, customer, other_customer, django_assert_num_queries):
    mine = ChannelFactory.create_batch(3, customer=customer)
    ChannelFactory(customer=customer, deleted_at="2026-01-01T00:00:00Z")
    ChannelFactory(customer=other_customer)
    with django_assert_num_queries(2):
        response = rep_client.get("/api/Channels")
    assert response.status_code == 200
    assert sorted(item["channelID"] for item in response.json()) == sorted(channel.pk for channel in mine)


def test_create_email_channel_masks_secrets(admin_client, customer):
    response = admin_client.post(
        "/api/Channels",
        _email_body(
            overrideEmailSettings=True,
            overrideGraphTenantID="tenant-1",
            overrideGraphClientID="client-1",
            overrideGraphClientSecret="very-secret-value-1234",
            emailProviderType="Microsoft365",
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["overrideGraphClientSecret"] == "********1234"
    assert body["customerID"] == customer.pk and body["token"]
    channel = Channel.objects.get(pk=body["channelID"])
    assert channel.override_graph_client_secret == "very-secret-value-1234"
    assert "very-secret" not in _raw_secret(channel.pk)


def _raw_secret(pk):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT override_graph_client_secret FROM channels_cfg_channel WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_put_with_masked_secret_keeps_it(admin_client, customer):
    channel = ChannelFactory(customer=customer, override_graph_client_secret="keep-this-secret-9999")
    response = admin_client.put(
        f"/api/Channels/{channel.pk}",
        _email_body(name="Renamed", overrideGraphClientSecret="********9999"),
        format="json",
    )
    assert response.status_code == 200, response.content
    channel.refresh_from_db()
    assert channel.name == "Renamed" and channel.override_graph_client_secret == "keep-this-secret-9999"


def test_chat_channel_exposes_token_and_normalised_hostnames(admin_client):
    response = admin_client.post(
        "/api/Channels",
        {"channelType": "Chat", "name": "Web", "hostnames": "WWW.Acme.test, shop.acme.test  localhost:8080"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["hostnames"] == "www.acme.test, shop.acme.test, localhost:8080"
    assert len(response.json()["token"]) == 36


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channelType": "WhatsApp", "name": "WA", "phoneNumber": "0470 12 34 56"}, "phoneNumber"),
        ({"channelType": "Phone", "name": "Phone"}, "phoneNumber"),
        ({"channelType": "Email", "name": "Mail"}, "emailAddress"),
        ({"channelType": "Chat", "name": "Web", "hostnames": "not a host!"}, "hostnames"),
        ({"channelType": "Fax", "name": "Fax"}, "channelType"),
        ({"channelType": "Email", "name": "", "emailAddress": "a@b.test"}, "name"),
    ],
)
def test_create_validation(admin_client, body, field):
    body = assert_problem(admin_client.post("/api/Channels", body, format="json"), 400, "ValidationFailed")
    assert field in body["errors"]


def test_phone_number_is_e164_and_unique(admin_client, other_customer):
    ok = admin_client.post(
        "/api/Channels", {"channelType": "WhatsApp", "name": "WA", "phoneNumber": "+32 470 12 34 56"}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["phoneNumber"] == "+32470123456"
    again = admin_client.post(
        "/api/Channels", {"channelType": "WhatsApp", "name": "WA2", "phoneNumber": "+32470123456"}, format="json"
    )
    assert_problem(again, 409, "PhoneNumberInUse")


def test_channel_type_cannot_change(admin_client, customer):
    channel = ChannelFactory(customer=customer)
    response = admin_client.put(f"/api/Channels/{channel.pk}", {"channelType": "Chat", "name": "x"}, format="json")
    assert "channelType" in assert_problem(response, 400)["errors"]


def test_auto_retrieve_change_updates_folders_and_publishes(admin_client, customer, django_capture_on_commit_callbacks):
    channel = ChannelFactory(customer=customer, auto_retrieve_emails=True)
    folder = ChannelFolderFactory(customer=customer, channel=channel, auto_retrieve_emails=True)
    seen = []

    def handler(**payload):
        seen.append(payload)

    subscribe(Event.CHANNEL_SAVED, handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.put(
            f"/api/Channels/{channel.pk}",
            _email_body(emailAddress=channel.email_address, autoRetrieveEmails=False),
            format="json",
        )
    assert response.status_code == 200
    folder.refresh_from_db()
    assert folder.auto_retrieve_emails is False
    assert {"channel_id": channel.pk, "customer_id": customer.pk} in seen


def test_delete_is_soft_and_hides_the_channel(admin_client, customer):
    channel = ChannelFactory(customer=customer)
    assert admin_client.delete(f"/api/Channels/{channel.pk}").status_code == 204
    channel.refresh_from_db()
    assert channel.deleted_at is not None and not channel.is_active
    assert_problem(admin_client.get(f"/api/Channels/{channel.pk}"), 404, "NotFound")


@pytest.mark.parametrize(
    ("method", "path_suffix"),
    [("post", ""), ("put", "/{id}"), ("delete", "/{id}"), ("get", "/{id}/topic-policy"), ("put", "/{id}/topic-policy")],
)
def test_writes_need_manage_settings(supervisor_client, rep_client, customer, method, path_suffix):
    channel = ChannelFactory(customer=customer)
    path = "/api/Channels" + path_suffix.replace("{id}", str(channel.pk))
    for client in (supervisor_client, rep_client):
        assert_problem(getattr(client, method)(path, _email_body(), format="json"), 403, "Forbidden")


def test_phone_token_cannot_read_channels(phone_client):
    assert_problem(phone_client.get("/api/Channels"), 403)


def test_other_tenant_is_404(other_admin_client, customer):
    channel = ChannelFactory(customer=customer)
    for suffix in ("", "/routing", "/topic-policy"):
        assert_problem(other_admin_client.get(f"/api/Channels/{channel.pk}{suffix}"), 404, "NotFound")


def test_anonymous_is_401(anon_client):
    assert_problem(anon_client.get("/api/Channels"), 401)


def test_plan_without_feature_refuses_channel_type(admin_client, customer):
    subscription = customer.subscription
    subscription.feature_overrides = {"hasChat": False}
    subscription.save()
    response = admin_client.post("/api/Channels", {"channelType": "Chat", "name": "Web"}, format="json")
    assert_problem(response, 403, "FeatureNotInPlan")


class TestTopicPolicy:
    def _topics(self, customer, count):
        from automation.models import Topic

        return [Topic.objects.create(customer=customer, name=f"Topic {n}") for n in range(count)]

    def test_get_default_policy(self, admin_client, customer):
        channel = ChannelFactory(customer=customer)
        response = admin_client.get(f"/api/Channels/{channel.pk}/topic-policy")
        assert response.json() == {"channelID": channel.pk, "mode": "All", "includeTopicIds": [], "excludeTopicIds": []}

    def test_put_policy_and_routing_follows(self, admin_client, customer):
        channel = ChannelFactory(customer=customer)
        first, second, third = self._topics(customer, 3)
        response = admin_client.put(
            f"/api/Channels/{channel.pk}/topic-policy",
            {"mode": "Exclude", "excludeTopicIds": [second.pk]},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["mode"] == "Exclude" and response.json()["excludeTopicIds"] == [second.pk]
        channel.refresh_from_db()
        assert channel.topic_policy_mode == TopicPolicyMode.EXCLUDE
        routing = admin_client.get(f"/api/Channels/{channel.pk}/routing").json()
        assert sorted(topic["topicID"] for topic in routing["topics"]) == sorted([first.pk, third.pk])
        assert routing["topicPolicy"]["mode"] == "Exclude" and routing["channelType"] == ChannelType.EMAIL

        admin_client.put(
            f"/api/Channels/{channel.pk}/topic-policy",
            {"mode": "Include", "includeTopicIds": [third.pk]},
            format="json",
        )
        routing = admin_client.get(f"/api/Channels/{channel.pk}/routing").json()
        assert [topic["topicID"] for topic in routing["topics"]] == [third.pk]

    def test_other_customers_topic_is_400(self, admin_client, customer, other_customer):
        channel = ChannelFactory(customer=customer)
        (foreign,) = self._topics(other_customer, 1)
        response = admin_client.put(
            f"/api/Channels/{channel.pk}/topic-policy",
            {"mode": "Include", "includeTopicIds": [foreign.pk]},
            format="json",
        )
        assert "includeTopicIds" in assert_problem(response, 400)["errors"]

    @pytest.mark.parametrize("body", [{"mode": "Sometimes"}, {"mode": "Include"}, {}])
    def test_validation(self, admin_client, customer, body):
        channel = ChannelFactory(customer=customer)
        assert_problem(admin_client.put(f"/api/Channels/{channel.pk}/topic-policy", body, format="json"), 400)

    def test_routing_is_readable_by_reps(self, rep_client, customer):
        channel = ChannelFactory(customer=customer)
        assert rep_client.get(f"/api/Channels/{channel.pk}/routing").status_code == 200
