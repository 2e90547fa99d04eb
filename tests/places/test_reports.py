"""The six documented report routes: paging, search, sort, rooms in order, tenant-checked references, 204 delete."""

import uuid

import pytest

from billing.models import StorageUsage
from places.models import PlaceDescriptionReport, PlaceDescriptionRoomPhoto
from tests.automation.factories import TopicFactory
from tests.conftest import assert_problem
from tests.documents.factories import DocumentFactory
from tests.places.factories import (
    PlaceDescriptionReportFactory,
    PlaceDescriptionRoomFactory,
    PlaceDescriptionRoomPhotoFactory,
)

URL = "/api/PlaceDescriptionReports"


@pytest.mark.django_db
def test_list_pages_and_hides_other_tenants(rep_client, customer, other_customer, django_assert_num_queries):
    for _ in range(12):
        PlaceDescriptionReportFactory(customer=customer)
    foreign = PlaceDescriptionReportFactory(customer=other_customer)
    with django_assert_num_queries(4):  # caller, plan features, count, page
        response = rep_client.get(URL, {"pageNumber": 2, "pageSize": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 12 and body["totalPages"] == 3 and len(body["items"]) == 5
    assert set(body["items"][0]) >= {
        "placeDescriptionReportID",
        "caseNumber",
        "clientNames",
        "address",
        "dateCreatedUtc",
    }
    ids = {item["placeDescriptionReportID"] for item in rep_client.get(URL, {"pageSize": 100}).json()["items"]}
    assert foreign.pk not in ids and len(ids) == 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("search", "expected"),
    [("kerkstraat", {"a"}), ("PD-2026-77", {"b"}), ("peeters", {"c"}), ("nowhere", set())],
)
def test_search_across_address_case_number_and_client_names(admin_client, customer, search, expected):
    reports = {
        "a": PlaceDescriptionReportFactory(customer=customer, address="Kerkstraat 1, Gent", client_names="X"),
        "b": PlaceDescriptionReportFactory(customer=customer, case_number="PD-2026-777", client_names="Y"),
        "c": PlaceDescriptionReportFactory(customer=customer, client_names="Familie Peeters"),
    }
    items = admin_client.get(URL, {"search": search}).json()["items"]
    assert {item["placeDescriptionReportID"] for item in items} == {reports[key].pk for key in expected}


@pytest.mark.django_db
def test_sort_by_case_number_and_default_newest_first(admin_client, customer):
    first = PlaceDescriptionReportFactory(customer=customer, case_number="B")
    second = PlaceDescriptionReportFactory(customer=customer, case_number="A")
    default = [item["placeDescriptionReportID"] for item in admin_client.get(URL).json()["items"]]
    assert default == [second.pk, first.pk]
    by_case = admin_client.get(URL, {"sortBy": "caseNumber", "sortOrder": "asc"}).json()["items"]
    assert [item["caseNumber"] for item in by_case] == ["A", "B"]


@pytest.mark.django_db
def test_list_validation_400(admin_client):
    assert_problem(admin_client.get(URL, {"sortBy": "secret"}), 400, "ValidationFailed")
    assert_problem(admin_client.get(URL, {"sortOrder": "sideways"}), 400, "ValidationFailed")


@pytest.mark.django_db
def test_create_sets_customer_creator_and_responsible_rep(rep_client, rep, customer, supervisor_rep):
    lexicon = DocumentFactory(customer=customer, name="Lexicon")
    instructions = DocumentFactory(customer=customer, name="Instructies")
    topic = TopicFactory(customer=customer, name="Plaatsbeschrijving")
    response = rep_client.post(
        URL,
        {
            "caseNumber": "PD-2026-001",
            "clientNames": "Immo Gent",
            "description": "Move-in condition report",
            "landlords": "Jan Peeters",
            "tenants": "An Janssens",
            "address": "Veldstraat 10, 9000 Gent",
            "reportDate": "2026-06-05",
            "lexiconDocumentID": lexicon.pk,
            "instructionsDocumentID": instructions.pk,
            "transformTopicID": topic.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    report = PlaceDescriptionReport.objects.get(pk=body["placeDescriptionReportID"])
    assert report.customer_id == customer.pk and body["customerID"] == customer.pk
    assert body["createdByCustomerRepID"] == rep.pk and body["customerRepID"] == rep.pk
    assert body["reportDate"] == "2026-06-05" and body["rooms"] == []
    assert (report.lexicon_document, report.instructions_document, report.transform_topic) == (
        lexicon,
        instructions,
        topic,
    )
    other = rep_client.post(URL, {"caseNumber": "PD-2", "customerRepID": supervisor_rep.pk}, format="json").json()
    assert other["customerRepID"] == supervisor_rep.pk and other["createdByCustomerRepID"] == rep.pk


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["lexiconDocumentID", "instructionsDocumentID", "transformTopicID", "customerRepID"])
def test_create_refuses_another_tenants_references(admin_client, other_customer, other_admin, field):
    foreign = {
        "lexiconDocumentID": lambda: DocumentFactory(customer=other_customer).pk,
        "instructionsDocumentID": lambda: DocumentFactory(customer=other_customer).pk,
        "transformTopicID": lambda: TopicFactory(customer=other_customer).pk,
        "customerRepID": lambda: other_admin.pk,
    }[field]()
    body = assert_problem(admin_client.post(URL, {"caseNumber": "X", field: foreign}, format="json"), 400)
    assert field in body["errors"]
    assert not PlaceDescriptionReport.objects.exists()


@pytest.mark.django_db
def test_create_validation_400(admin_client):
    body = assert_problem(admin_client.post(URL, {"reportDate": "5 juni", "caseNumber": "x" * 101}, format="json"), 400)
    assert {"reportDate", "caseNumber"} <= set(body["errors"])
    body = assert_problem(admin_client.post(URL, {"heroPhotoAccessToken": str(uuid.uuid4())}, format="json"), 400)
    assert "heroPhotoAccessToken" in body["errors"]


@pytest.mark.django_db
def test_retrieve_has_rooms_by_sort_order_then_id(admin_client, report, django_assert_num_queries):
    late = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Zolder", sort_order=5)
    tie_a = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Keuken", sort_order=1)
    tie_b = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Hal", sort_order=1)
    first = PlaceDescriptionRoomFactory(customer=report.customer, report=report, name="Inkom", sort_order=0)
    PlaceDescriptionRoomPhotoFactory(customer=report.customer, room=tie_a)
    with django_assert_num_queries(5):  # caller, plan features, report, rooms, photos
        response = admin_client.get(f"{URL}/{report.pk}")
    assert response.status_code == 200
    rooms = response.json()["rooms"]
    assert [room["placeDescriptionRoomID"] for room in rooms] == [first.pk, tie_a.pk, tie_b.pk, late.pk]
    assert len(rooms[1]["photos"]) == 1 and rooms[1]["photos"][0]["url"].endswith(
        f"/api/PlaceDescriptionPhotos/{rooms[1]['photos'][0]['accessToken']}"
    )


@pytest.mark.django_db
def test_update_metadata_and_hero_photo(admin_client, report, photo):
    response = admin_client.put(
        f"{URL}/{report.pk}",
        {"address": "Nieuwe straat 2", "heroPhotoAccessToken": str(photo.access_token), "lexiconDocumentID": None},
        format="json",
    )
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.address == "Nieuwe straat 2" and report.hero_photo_access_token == photo.access_token
    assert report.case_number == "PD-2026-001"  # fields not sent are kept


@pytest.mark.django_db
def test_update_refuses_a_photo_of_another_report_as_hero(admin_client, report, customer, other_customer):
    elsewhere = PlaceDescriptionRoomPhotoFactory(customer=customer)
    foreign = PlaceDescriptionRoomPhotoFactory(customer=other_customer)
    for token in (elsewhere.access_token, foreign.access_token, uuid.uuid4(), "not-a-uuid"):
        body = assert_problem(
            admin_client.put(f"{URL}/{report.pk}", {"heroPhotoAccessToken": str(token)}, format="json"), 400
        )
        assert "heroPhotoAccessToken" in body["errors"]
    topic = TopicFactory(customer=other_customer)
    assert_problem(admin_client.put(f"{URL}/{report.pk}", {"transformTopicID": topic.pk}, format="json"), 400)
    report.refresh_from_db()
    assert report.hero_photo_access_token is None and report.transform_topic_id is None


@pytest.mark.django_db
def test_delete_204_removes_rooms_photos_and_releases_storage(admin_client, report, photo, customer):
    StorageUsage.objects.update_or_create(customer=customer, defaults={"photos_bytes": photo.size + 100})
    response = admin_client.delete(f"{URL}/{report.pk}")
    assert response.status_code == 204 and response.content == b""
    assert not PlaceDescriptionReport.objects.filter(pk=report.pk).exists()
    assert not PlaceDescriptionRoomPhoto.objects.filter(pk=photo.pk).exists()
    assert StorageUsage.objects.get(customer=customer).photos_bytes == 100
    assert_problem(admin_client.delete(f"{URL}/{report.pk}"), 404, "NotFound")
