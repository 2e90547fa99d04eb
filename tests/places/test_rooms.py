"""Room routes: create (last by default), replace with sanitised report text, reorder, delete."""

import pytest

from places.models import PlaceDescriptionReport, PlaceDescriptionRoom
from tests.conftest import assert_problem
from tests.places.factories import PlaceDescriptionRoomFactory, PlaceDescriptionRoomPhotoFactory

REPORTS = "/api/PlaceDescriptionReports"
ROOMS = "/api/PlaceDescriptionRooms"


@pytest.mark.django_db
def test_create_room_goes_last_and_keeps_the_dictation(rep_client, report, room):
    response = rep_client.post(
        f"{REPORTS}/{report.pk}/rooms",
        {"name": "Keuken", "transcript": "De vloer is betegeld.\nDe muren zijn wit.", "notes": "Sleutel bij buren"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["placeDescriptionReportID"] == report.pk and body["sortOrder"] == room.sort_order + 1
    assert body["transcript"] == "De vloer is betegeld.\nDe muren zijn wit." and body["transformStatus"] == "Idle"
    created = PlaceDescriptionRoom.objects.get(pk=body["placeDescriptionRoomID"])
    assert created.customer_id == report.customer_id and created.notes == "Sleutel bij buren"
    explicit = rep_client.post(f"{REPORTS}/{report.pk}/rooms", {"name": "Inkom", "sortOrder": -1}, format="json")
    assert explicit.json()["sortOrder"] == -1
    order = [item["name"] for item in rep_client.get(f"{REPORTS}/{report.pk}").json()["rooms"]]
    assert order == ["Inkom", "Woonkamer", "Keuken"]


@pytest.mark.django_db
def test_create_room_validation_400(admin_client, report):
    body = assert_problem(admin_client.post(f"{REPORTS}/{report.pk}/rooms", {"sortOrder": "first"}, format="json"), 400)
    assert {"name", "sortOrder"} <= set(body["errors"])
    assert not report.rooms.exists()


@pytest.mark.django_db
def test_report_text_is_stored_sanitised(admin_client, room):
    dirty = (
        '<h2 onclick="steal()">Vloer</h2><script>alert(1)</script><p style="color:red">Tegels <b>goed</b>'
        '<img src=x onerror=alert(1)><a href="javascript:alert(1)">link</a></p>'
        '<table><tr><td colspan="2" onmouseover="x()">Kraan</td></tr></table><ul><li>Lamp</li></ul>'
    )
    response = admin_client.put(f"{ROOMS}/{room.pk}", {"name": "Woonkamer", "reportText": dirty}, format="json")
    assert response.status_code == 200, response.content
    stored = response.json()["reportText"]
    assert stored == (
        '<h2>Vloer</h2><p>Tegels <b>goed</b>link</p><table><tbody><tr><td colspan="2">Kraan</td></tr></tbody></table>'
        "<ul><li>Lamp</li></ul>"
    )
    room.refresh_from_db()
    assert room.report_text == stored


@pytest.mark.django_db
def test_get_and_replace_room(rep_client, room):
    assert rep_client.get(f"{ROOMS}/{room.pk}").json()["name"] == "Woonkamer"
    response = rep_client.put(f"{ROOMS}/{room.pk}", {"name": "Living", "sortOrder": 4, "notes": None}, format="json")
    assert response.status_code == 200
    room.refresh_from_db()
    assert (room.name, room.sort_order, room.notes) == ("Living", 4, "")


@pytest.mark.django_db
def test_replace_room_validation_400(admin_client, room):
    body = assert_problem(admin_client.put(f"{ROOMS}/{room.pk}", {"name": "", "sortOrder": "x"}, format="json"), 400)
    assert {"name", "sortOrder"} <= set(body["errors"])


@pytest.mark.django_db
def test_reorder_rooms(admin_client, report, room):
    kitchen = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Keuken", sort_order=1)
    hall = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Hal", sort_order=2)
    response = admin_client.put(
        f"{REPORTS}/{report.pk}/rooms/order", {"roomIDs": [hall.pk, room.pk, kitchen.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [(item["name"], item["sortOrder"]) for item in response.json()] == [
        ("Hal", 0),
        ("Woonkamer", 1),
        ("Keuken", 2),
    ]


@pytest.mark.django_db
def test_reorder_rooms_must_name_each_room_once(admin_client, report, room, other_customer):
    kitchen = PlaceDescriptionRoomFactory(customer=report.customer, report=report, sort_order=1)
    foreign = PlaceDescriptionRoomFactory(customer=other_customer)
    for ids in ([room.pk], [room.pk, room.pk], [room.pk, kitchen.pk, foreign.pk], [room.pk, foreign.pk]):
        body = assert_problem(
            admin_client.put(f"{REPORTS}/{report.pk}/rooms/order", {"roomIDs": ids}, format="json"), 400
        )
        assert "roomIDs" in body["errors"]
    assert_problem(admin_client.put(f"{REPORTS}/{report.pk}/rooms/order", {"roomIDs": []}, format="json"), 400)
    room.refresh_from_db()
    foreign.refresh_from_db()
    assert room.sort_order == 0 and foreign.report.customer_id == other_customer.pk


@pytest.mark.django_db
def test_delete_room_with_its_photos_and_hero(admin_client, report, room, photo):
    PlaceDescriptionReport.objects.filter(pk=report.pk).update(hero_photo_access_token=photo.access_token)
    other = PlaceDescriptionRoomPhotoFactory(customer=report.customer)
    response = admin_client.delete(f"{ROOMS}/{room.pk}")
    assert response.status_code == 204
    report.refresh_from_db()
    assert report.hero_photo_access_token is None
    assert not PlaceDescriptionRoom.objects.filter(pk=room.pk).exists()
    assert other.__class__.objects.filter(pk=other.pk).exists()
    assert_problem(admin_client.delete(f"{ROOMS}/{room.pk}"), 404)
