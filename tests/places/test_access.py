"""Every place description route: 401 without a token, 403 for a token kind TicketAccess refuses (phone),
403 FeatureNotInPlan without hasSchedulesOfCondition, 404 for another tenant's report, room or photo."""

import pytest

from places.models import PlaceDescriptionReport, PlaceDescriptionRoom, PlaceDescriptionRoomPhoto
from tests.conftest import assert_problem
from tests.places.factories import PlaceDescriptionRoomPhotoFactory

ROUTES = [
    ("get", "/api/PlaceDescriptionReports"),
    ("post", "/api/PlaceDescriptionReports"),
    ("get", "/api/PlaceDescriptionReports/{report}"),
    ("put", "/api/PlaceDescriptionReports/{report}"),
    ("delete", "/api/PlaceDescriptionReports/{report}"),
    ("get", "/api/PlaceDescriptionReports/{report}/export/docx"),
    ("post", "/api/PlaceDescriptionReports/{report}/rooms"),
    ("put", "/api/PlaceDescriptionReports/{report}/rooms/order"),
    ("post", "/api/PlaceDescriptionReports/{report}/transform"),
    ("get", "/api/PlaceDescriptionReports/{report}/hero-photo"),
    ("get", "/api/PlaceDescriptionRooms/{room}"),
    ("put", "/api/PlaceDescriptionRooms/{room}"),
    ("delete", "/api/PlaceDescriptionRooms/{room}"),
    ("post", "/api/PlaceDescriptionRooms/{room}/transform"),
    ("get", "/api/PlaceDescriptionRooms/{room}/photos"),
    ("post", "/api/PlaceDescriptionRooms/{room}/photos"),
    ("put", "/api/PlaceDescriptionRooms/{room}/photos/order"),
    ("get", "/api/PlaceDescriptionRoomPhotos/{photo}"),
    ("put", "/api/PlaceDescriptionRoomPhotos/{photo}"),
    ("delete", "/api/PlaceDescriptionRoomPhotos/{photo}"),
]
OBJECT_ROUTES = [route for route in ROUTES if "{" in route[1]]
_IDS = [f"{method} {path}" for method, path in ROUTES]


def _path(template: str, photo) -> str:
    return template.format(report=photo.room.report_id, room=photo.room_id, photo=photo.pk)


def _rows(photo) -> tuple:
    return (
        PlaceDescriptionReport.objects.filter(pk=photo.room.report_id).exists(),
        PlaceDescriptionRoom.objects.filter(pk=photo.room_id).exists(),
        PlaceDescriptionRoomPhoto.objects.filter(pk=photo.pk).exists(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), ROUTES, ids=_IDS)
def test_without_token_401(anon_client, photo, method, template):
    response = getattr(anon_client, method)(_path(template, photo), {}, format="json")
    assert_problem(response, 401)
    assert _rows(photo) == (True, True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), ROUTES, ids=_IDS)
def test_phone_token_403(phone_client, photo, method, template):
    """TicketAccess is for representatives; a phone-auth token is refused before anything is looked up."""
    response = getattr(phone_client, method)(_path(template, photo), {}, format="json")
    assert_problem(response, 403, "Forbidden")
    assert _rows(photo) == (True, True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), ROUTES, ids=_IDS)
def test_plan_without_the_feature_403(admin_client, photo, without_feature, method, template):
    response = getattr(admin_client, method)(_path(template, photo), {}, format="json")
    body = assert_problem(response, 403, "FeatureNotInPlan")
    assert "hasSchedulesOfCondition" in body["detail"]
    assert _rows(photo) == (True, True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "template"), OBJECT_ROUTES, ids=[f"{m} {p}" for m, p in OBJECT_ROUTES])
def test_other_tenants_objects_404(admin_client, other_customer, method, template):
    foreign = PlaceDescriptionRoomPhotoFactory(customer=other_customer)
    response = getattr(admin_client, method)(_path(template, foreign), {}, format="json")
    assert_problem(response, 404, "NotFound")
    assert _rows(foreign) == (True, True, True)
