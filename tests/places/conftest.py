"""Place description fixtures: a report of Acme with rooms and photos, and the plan without the feature."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import CustomerSubscription
from tests.billing.factories import SubscriptionPlanFactory
from tests.places.factories import (
    PlaceDescriptionReportFactory,
    PlaceDescriptionRoomFactory,
    PlaceDescriptionRoomPhotoFactory,
)
from tests.places.photos import jpeg


@pytest.fixture
def report(customer):
    return PlaceDescriptionReportFactory(customer=customer, case_number="PD-2026-001")


@pytest.fixture
def room(report):
    return PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Woonkamer", sort_order=0)


@pytest.fixture
def photo(room):
    return PlaceDescriptionRoomPhotoFactory(customer=room.customer, room=room)


@pytest.fixture
def without_feature(customer):
    """Acme moves to the starter plan, which lacks hasSchedulesOfCondition."""
    CustomerSubscription.objects.filter(customer=customer).update(plan=SubscriptionPlanFactory(code="starter"))


def upload(data: bytes | None = None, name: str = "foto.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, jpeg() if data is None else data, content_type=content_type)
