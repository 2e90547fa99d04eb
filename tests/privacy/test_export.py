"""Access request: one streamed ZIP with data.json (every row about the person), the original files and an index
in the person's language; the same archive from the command."""

import io
import json
import random
import zipfile

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.utils import timezone

from privacy import export
from tests.conftest import assert_problem
from tests.privacy.seed import EMAIL, NAME, PHRASE, RAW_MIME, seed_person
from tests.tickets.factories import EndUserFactory


def _archive(response) -> zipfile.ZipFile:
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_export_holds_every_record_and_file(admin_client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer, lang="nl-BE")

    response = admin_client.get(f"/api/EndUsers/{seeded.end_user.pk}/export")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="enduser-{seeded.end_user.pk}-export-')
    archive = _archive(response)
    data = json.loads(archive.read("data.json"))
    assert data["endUser"]["lastname"] == NAME.split(" ")[1]
    assert {uid["uid"] for uid in data["uids"]} >= {EMAIL}
    assert sorted(ticket["id"] for ticket in data["tickets"]) == sorted(seeded.ticket_ids)
    messages = [message for ticket in data["tickets"] for message in ticket["messages"]]
    assert sorted(message["id"] for message in messages) == sorted(seeded.message_ids)
    inbound = next(message for message in messages if message["from_address"] == EMAIL)
    assert PHRASE in inbound["ai_prompt"] and inbound["ai_generated_response"]
    assert inbound["custom_fields_data"] == {"phone": "+32470999111"}
    assert inbound["topics"][0]["topicName"] == "Sanitair" and inbound["aiPipeline"][0]["state"] == "Done"
    reply = next(message for message in messages if not message["incoming"])
    assert reply["outbox"][0]["transport"] == "graph"
    assert PHRASE in data["phoneCalls"][0]["transcript"] and len(data["phoneCalls"][0]["chunks"]) == 1
    assert len(data["costEntries"]) == 4
    (report,) = data["placeDescriptionReports"]
    assert report["id"] == seeded.report_id and len(report["rooms"][0]["photos"]) == 2
    # the original files, byte for byte
    eml = next(a for a in inbound["attachments"] if a["file_name"] == "original.eml")
    assert archive.read(eml["archivePath"]) == RAW_MIME
    for photo in report["rooms"][0]["photos"]:
        assert archive.read(photo["archivePath"])[:2] == b"\xff\xd8"
    assert archive.read(data["phoneCalls"][0]["chunks"][0]["archivePath"]) == PHRASE.encode()
    index = archive.read("index.html").decode()
    assert 'lang="nl"' in index and "Uw persoonsgegevens" in index and "Acme" in index
    assert data["missingFiles"] == []


@pytest.mark.django_db
def test_export_index_language_can_be_chosen(admin_client, customer):
    end_user = EndUserFactory(customer=customer, lang="de")
    default = _archive(admin_client.get(f"/api/EndUsers/{end_user.pk}/export"))
    assert "Your personal data" in default.read("index.html").decode()  # unknown language: English
    french = _archive(admin_client.get(f"/api/EndUsers/{end_user.pk}/export?lang=fr"))
    assert "Vos données personnelles" in french.read("index.html").decode()


@pytest.mark.django_db
def test_export_route_validation_roles_and_tenancy(admin_client, rep_client, anon_client, other_admin_client, customer):
    end_user = EndUserFactory(customer=customer)
    path = f"/api/EndUsers/{end_user.pk}/export"
    assert_problem(admin_client.get(path + "?lang=xx"), 400)
    assert anon_client.get(path).status_code == 401
    assert_problem(rep_client.get(path), 403)
    assert_problem(other_admin_client.get(path), 404)
    assert_problem(admin_client.get("/api/EndUsers/999999/export"), 404)


def test_stream_is_produced_piece_by_piece_not_built_whole(monkeypatch):
    """Each yielded piece is at most about one file chunk: the archive never sits in memory."""

    class Stored:
        def __init__(self, data):
            self.data, self.name = data, "big.bin"
            self.storage = self

        def __bool__(self):
            return True

        def open(self, name, mode):
            return io.BytesIO(self.data)

    big = random.Random(21).randbytes(4 * 1024 * 1024)  # 4 MiB that deflate cannot shrink
    document = {"exportedAt": timezone.now(), "counts": {}}
    monkeypatch.setattr(export, "_collect", lambda person: (document, [("files/big.bin", Stored(big))]))
    person = type("P", (), {"end_user": type("E", (), {"lang": "en", "pk": 1})()})()

    pieces = [piece for piece in export.export_stream(person=person) if piece]

    assert len(pieces) > 10 and max(len(piece) for piece in pieces) < 2 * export.CHUNK_BYTES
    assert zipfile.ZipFile(io.BytesIO(b"".join(pieces))).read("files/big.bin") == big


@pytest.mark.django_db
def test_command_writes_the_archive(customer, tmp_path, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed_person(customer, lang="fr")
    target = tmp_path / "export.zip"

    call_command("enduser_export", "--customer", str(customer.pk), "--uid", EMAIL, "--output", str(target))

    assert "Wrote" in capsys.readouterr().out
    archive = zipfile.ZipFile(target)
    assert json.loads(archive.read("data.json"))["endUser"]["id"] == seeded.end_user.pk
    assert "Vos données personnelles" in archive.read("index.html").decode()
