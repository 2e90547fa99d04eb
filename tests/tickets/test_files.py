import uuid

import pytest
from django.core.files.base import ContentFile

from tests.conftest import assert_problem
from tests.tickets.factories import TicketMessageFactory
from tickets import services

pytestmark = pytest.mark.django_db

BODY = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture
def attachment(customer):
    message = TicketMessageFactory(customer=customer)
    return services.attachment_store(
        message=message, content=ContentFile(BODY), file_name="Rapport été 2026.zip", content_type="application/zip"
    )


def test_download_whole_file_as_attachment_with_rfc6266_name(anon_client, attachment):
    response = anon_client.get(f"/api/File/{attachment.access_token}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == BODY
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Length"] == "1024" and response["Accept-Ranges"] == "bytes"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Rapport%20%C3%A9t%C3%A9%202026.zip" in disposition


def test_images_pdf_and_text_are_inline(anon_client, customer):
    message = TicketMessageFactory(customer=customer)
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
    attachment = services.attachment_store(message=message, content=png, file_name="shot.png")
    response = anon_client.get(f"/api/File/{attachment.access_token}")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_range_requests(anon_client, attachment):
    path = f"/api/File/{attachment.access_token}"
    response = anon_client.get(path, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == BODY[10:20]
    assert response["Content-Range"] == "bytes 10-19/1024" and response["Content-Length"] == "10"
    response = anon_client.get(path, HTTP_RANGE="bytes=-4")
    assert b"".join(response.streaming_content) == BODY[-4:] and response["Content-Range"] == "bytes 1020-1023/1024"
    response = anon_client.get(path, HTTP_RANGE="bytes=1000-")
    assert b"".join(response.streaming_content) == BODY[1000:]
    response = anon_client.get(path, HTTP_RANGE="bytes=2000-3000")
    assert response.status_code == 416 and response["Content-Range"] == "bytes */1024"
    response = anon_client.get(path, HTTP_RANGE="bytes=0-1,5-6")
    assert response.status_code == 200


def test_unknown_token_is_404(anon_client, attachment):
    assert_problem(anon_client.get(f"/api/File/{uuid.uuid4()}"), 404)
    assert anon_client.get("/api/File/not-a-guid").status_code == 404


def test_missing_metadata_falls_back(anon_client, attachment):
    type(attachment).objects.filter(pk=attachment.pk).update(content_type="", file_name="")
    response = anon_client.get(f"/api/File/{attachment.access_token}")
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="download.bin"' in response["Content-Disposition"]
