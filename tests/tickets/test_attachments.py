import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from billing.models import StorageUsage
from billing.services import storage_usage_recalculate
from tests.conftest import assert_problem
from tests.tickets.factories import TicketMessageAttachmentFactory, TicketMessageFactory
from tickets.models import TicketMessageAttachment

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40


def upload(client, message, name="photo.txt", data=PNG, content_type="text/plain", **extra):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(f"/api/ticketMessages/{message.pk}/attachments", {"file": file, **extra}, format="multipart")


def test_upload_sniffs_type_bills_storage_and_lists(admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    response = upload(admin_client, message)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["contentType"] == "image/png" and data["fileName"] == "photo.txt"
    assert data["fileSizeBytes"] == len(PNG) and data["isCustomerRepProvided"] and not data["isEndUserProvided"]
    assert data["url"].endswith(f"/api/File/{data['accessToken']}")
    message.refresh_from_db()
    assert message.has_attachment
    assert StorageUsage.objects.get(customer=customer).attachments_bytes == len(PNG)
    assert storage_usage_recalculate(customer_id=customer.pk).attachments_bytes == len(PNG)
    listed = admin_client.get(f"/api/TicketMessages/{message.pk}/attachments").json()
    assert [row["ticketMessageAttachmentID"] for row in listed] == [data["ticketMessageAttachmentID"]]
    assert "fileData" not in listed[0]


def test_unknown_bytes_keep_the_declared_type(admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    response = upload(admin_client, message, name="notes.csv", data=b"a,b\n1,2\n", content_type="text/csv")
    assert response.json()["contentType"] == "text/csv"


def test_upload_validation_and_size_limit(admin_client, customer):
    message = TicketMessageFactory(customer=customer)
    response = admin_client.post(f"/api/TicketMessages/{message.pk}/attachments", {}, format="multipart")
    assert "file" in assert_problem(response, 400)["errors"]
    with override_settings(ANSWERPAL_MAX_UPLOAD_BYTES=10):
        assert_problem(upload(admin_client, message), 413, "FileTooLarge")
    assert not TicketMessageAttachment.objects.exists()


def test_delete_attachment_releases_storage(admin_client, customer, django_capture_on_commit_callbacks):
    message = TicketMessageFactory(customer=customer)
    data = upload(admin_client, message).json()
    attachment = TicketMessageAttachment.objects.get(pk=data["ticketMessageAttachmentID"])
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.delete(f"/api/TicketMessages/{message.pk}/attachments/{attachment.pk}")
    assert response.status_code == 204
    assert not storage.exists(name)
    message.refresh_from_db()
    assert not message.has_attachment
    assert StorageUsage.objects.get(customer=customer).attachments_bytes == 0


def test_delete_attachment_of_other_tenant_is_404(admin_client, customer, other_customer):
    foreign = TicketMessageAttachmentFactory(customer=other_customer)
    mine = TicketMessageFactory(customer=customer)
    assert_problem(admin_client.delete(f"/api/TicketMessages/{foreign.message_id}/attachments/{foreign.pk}"), 404)
    assert_problem(admin_client.delete(f"/api/TicketMessages/{mine.pk}/attachments/{foreign.pk}"), 404)
    assert TicketMessageAttachment.objects.filter(pk=foreign.pk).exists()


def test_roles(anon_client, phone_client, customer):
    message = TicketMessageFactory(customer=customer)
    assert_problem(anon_client.get(f"/api/TicketMessages/{message.pk}/attachments"), 401)
    assert_problem(phone_client.get(f"/api/TicketMessages/{message.pk}/attachments"), 403)
