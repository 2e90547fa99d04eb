import pytest

from channels_cfg.models import ChannelFolder, ChannelType
from tests.channels_cfg.factories import ChannelFactory, ChannelFolderFactory
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_create_and_duplicate_is_409(admin_client, customer):
    channel = ChannelFactory(customer=customer)
    body = {"channelID": channel.pk, "folderID": "AAMkInbox", "folderName": "Inbox"}
    response = admin_client.post("/api/ChannelFolders", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["autoRetrieveEmails"] is True and response.json()["channelID"] == channel.pk
    assert_problem(admin_client.post("/api/ChannelFolders", body, format="json"), 409, "DuplicateChannelFolder")
    assert ChannelFolder.objects.filter(channel=channel).count() == 1


def test_update_to_an_already_linked_folder_is_409(admin_client, customer):
    first = ChannelFolderFactory(customer=customer)
    second = ChannelFolderFactory(customer=customer, channel=first.channel)
    response = admin_client.put(
        f"/api/ChannelFolders/{second.pk}",
        {"channelID": first.channel_id, "folderID": first.folder_id, "folderName": "x"},
        format="json",
    )
    assert_problem(response, 409, "DuplicateChannelFolder")


def test_get_put_delete(admin_client, customer):
    folder = ChannelFolderFactory(customer=customer)
    assert admin_client.get(f"/api/ChannelFolders/{folder.pk}").json()["folderID"] == folder.folder_id
    response = admin_client.put(
        f"/api/ChannelFolders/{folder.pk}",
        {
            "channelID": folder.channel_id,
            "folderID": folder.folder_id,
            "folderName": "Renamed",
            "autoRetrieveEmails": False,
        },
        format="json",
    )
    assert response.status_code == 200 and response.json()["folderName"] == "Renamed"
    assert admin_client.delete(f"/api/ChannelFolders/{folder.pk}").status_code == 204
    assert not ChannelFolder.objects.filter(pk=folder.pk).exists()


def test_by_channel_lists_without_n_plus_one(rep_client, customer, django_assert_num_queries):
    channel = ChannelFactory(customer=customer)
    ChannelFolderFactory.create_batch(4, customer=customer, channel=channel)
    ChannelFolderFactory(customer=customer)
    with django_assert_num_queries(3):
        response = rep_client.get(f"/api/ChannelFolders/byChannel/{channel.pk}")
    assert response.status_code == 200 and len(response.json()) == 4


def test_by_channel_other_tenant_is_404(other_admin_client, customer):
    folder = ChannelFolderFactory(customer=customer)
    assert_problem(other_admin_client.get(f"/api/ChannelFolders/byChannel/{folder.channel_id}"), 404, "NotFound")
    assert_problem(other_admin_client.get(f"/api/ChannelFolders/{folder.pk}"), 404, "NotFound")


@pytest.mark.parametrize(
    "body",
    [{}, {"channelID": "abc", "folderID": "x"}, {"folderID": "x"}],
)
def test_validation(admin_client, body):
    assert_problem(admin_client.post("/api/ChannelFolders", body, format="json"), 400, "ValidationFailed")


def test_chat_channel_and_foreign_channel_refused(admin_client, customer, other_customer):
    chat = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
    foreign = ChannelFactory(customer=other_customer)
    for channel in (chat, foreign):
        response = admin_client.post("/api/ChannelFolders", {"channelID": channel.pk, "folderID": "x"}, format="json")
        assert "channelID" in assert_problem(response, 400)["errors"]


def test_writes_need_manage_settings_and_token(rep_client, anon_client, customer):
    channel = ChannelFactory(customer=customer)
    body = {"channelID": channel.pk, "folderID": "x"}
    assert_problem(rep_client.post("/api/ChannelFolders", body, format="json"), 403)
    assert_problem(anon_client.post("/api/ChannelFolders", body, format="json"), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"folderID": ""}, "folderID"),
        ({"folderID": None}, "folderID"),
        ({"channelID": "abc"}, "channelID"),
        ({"channelID": "CHAT"}, "channelID"),
        ({"autoRetrieveEmails": "sometimes"}, "autoRetrieveEmails"),
    ],
)
def test_put_validation_changes_nothing(admin_client, customer, change, field):
    folder = ChannelFolderFactory(customer=customer, folder_name="Inbox")
    chat = ChannelFactory(customer=customer, channel_type=ChannelType.CHAT)
    body = {"channelID": folder.channel_id, "folderID": "AAMkOther", "folderName": "Renamed", **change}
    body = {key: chat.pk if value == "CHAT" else value for key, value in body.items()}
    response = admin_client.put(f"/api/ChannelFolders/{folder.pk}", body, format="json")
    assert field in assert_problem(response, 400, "ValidationFailed")["errors"]
    stored = ChannelFolder.objects.get(pk=folder.pk)
    assert (stored.channel_id, stored.folder_id, stored.folder_name) == (folder.channel_id, folder.folder_id, "Inbox")
