"""Operator admin (changelists with customer, search, thumbnails; deletes through the services; transform action)
and the places_export_report command."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from billing.models import StorageUsage
from places.models import PlaceDescriptionRoom, PlaceDescriptionRoomPhoto
from tests.admin_helpers import operator_login
from tests.places.factories import PlaceDescriptionRoomFactory, PlaceDescriptionRoomPhotoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    return operator_login()


def test_changelists_render_without_per_row_queries(operator_client, customer, django_assert_max_num_queries):
    for number in range(10):
        PlaceDescriptionRoomPhotoFactory(customer=customer, room__report__case_number=f"PD-{number}")
    for url in (
        "/admin/places/placedescriptionreport/",
        "/admin/places/placedescriptionroom/",
        "/admin/places/placedescriptionroomphoto/",
    ):
        with django_assert_max_num_queries(12):
            response = operator_client.get(url)
        assert response.status_code == 200, url
        assert b"Acme" in response.content
    found = operator_client.get("/admin/places/placedescriptionreport/", {"q": "PD-7"}).content
    assert b"PD-7" in found and b"PD-3" not in found
    photos = operator_client.get("/admin/places/placedescriptionroomphoto/").content.decode()
    token = PlaceDescriptionRoomPhoto.objects.first().access_token
    assert f'<img src="/api/PlaceDescriptionPhotos/{token}/thumbnail"' in photos


def test_change_pages_render(operator_client, photo):
    for url in (
        f"/admin/places/placedescriptionreport/{photo.room.report_id}/change/",
        f"/admin/places/placedescriptionroom/{photo.room_id}/change/",
        f"/admin/places/placedescriptionroomphoto/{photo.pk}/change/",
    ):
        assert operator_client.get(url).status_code == 200, url


def test_admin_delete_releases_photo_storage(operator_client, photo, customer):
    StorageUsage.objects.update_or_create(customer=customer, defaults={"photos_bytes": photo.size})
    response = operator_client.post(
        "/admin/places/placedescriptionroomphoto/",
        {"action": "delete_selected", "_selected_action": [photo.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not PlaceDescriptionRoomPhoto.objects.exists()
    assert StorageUsage.objects.get(customer=customer).photos_bytes == 0


def test_admin_transform_action(operator_client, report, room, django_capture_on_commit_callbacks):
    room.transcript = "De vloer is nieuw."
    room.save()
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            "/admin/places/placedescriptionreport/", {"action": "transform_rooms", "_selected_action": [report.pk]}
        )
    assert (
        PlaceDescriptionRoom.objects.get(pk=room.pk).report_text == "<h3>Vloer</h3><ul><li>De vloer is nieuw.</li></ul>"
    )


def test_export_command_writes_the_docx(tmp_path, report, room, photo):
    PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Zolder", report_text="<p>Leeg</p>")
    out = tmp_path / "rapport.docx"
    stdout = io.StringIO()
    call_command("places_export_report", "--report", str(report.pk), "--out", str(out), stdout=stdout)
    assert "2 room(s), 1 photo(s)" in stdout.getvalue()
    headings = [p.text for p in Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["Woonkamer", "Zolder"]
    call_command("places_export_report", "--report", str(report.pk), "--out", str(out), "--photo-placement", "none")
    assert len(Document(str(out)).inline_shapes) == 0


def test_export_command_refuses_unknown_reports_and_other_customers(tmp_path, report, other_customer):
    with pytest.raises(CommandError, match="No report"):
        call_command("places_export_report", "--report", "999999", "--out", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError, match="No report"):
        call_command(
            "places_export_report", "--report", str(report.pk), "--customer", str(other_customer.pk), "--out", "x.docx"
        )
    with pytest.raises(CommandError, match="does not exist"):
        call_command("places_export_report", "--report", str(report.pk), "--out", str(tmp_path / "no" / "x.docx"))
