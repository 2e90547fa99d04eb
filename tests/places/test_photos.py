"""Room photos: upload with the type sniffed from the bytes, EXIF orientation applied, thumbnail, size cap,
billing storage; list, caption, reorder, delete; the public token URLs and the report's hero photo."""

import uuid

import pytest
from django.core.files.base import ContentFile

from billing.models import StorageUsage
from places.models import PlaceDescriptionReport, PlaceDescriptionRoomPhoto
from tests.conftest import assert_problem
from tests.places.conftest import upload
from tests.places.factories import PlaceDescriptionRoomPhotoFactory
from tests.places.photos import jpeg, opened, photo_bytes

ROOMS = "/api/PlaceDescriptionRooms"
PHOTOS = "/api/PlaceDescriptionRoomPhotos"
PUBLIC = "/api/PlaceDescriptionPhotos"


def _post(client, room, data, **extra):
    return client.post(f"{ROOMS}/{room.pk}/photos", {"file": data, **extra}, format="multipart")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("image_format", "name", "stored_type"),
    [
        ("JPEG", "kamer.jpg", "image/jpeg"),
        ("PNG", "kamer.png", "image/png"),
        ("WEBP", "kamer.webp", "image/jpeg"),
        ("HEIF", "IMG_0001.HEIC", "image/jpeg"),
    ],
)
def test_upload_each_accepted_type(rep_client, room, customer, image_format, name, stored_type):
    response = _post(
        rep_client, room, upload(photo_bytes(image_format), name, "application/octet-stream"), caption="Raam"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contentType"] == stored_type and body["caption"] == "Raam"
    assert (body["width"], body["height"]) == (64, 32)
    photo = PlaceDescriptionRoomPhoto.objects.get(pk=body["placeDescriptionRoomPhotoID"])
    assert photo.customer_id == customer.pk and photo.file_name == name
    assert opened(photo.thumbnail.read()).format == opened(photo.export_image.read()).format == "JPEG"
    assert photo.size == photo.file.size + photo.thumbnail.size + photo.export_image.size == body["fileSizeBytes"]
    assert StorageUsage.objects.get(customer=customer).photos_bytes == photo.size


@pytest.mark.django_db
def test_exif_orientation_is_applied_and_metadata_dropped(admin_client, room):
    # Orientation 6: the camera was turned; shown upright the 64x32 picture is 32x64 with its red half on top.
    body = _post(admin_client, room, upload(jpeg(orientation=6))).json()
    assert (body["width"], body["height"]) == (32, 64)
    stored = opened(PlaceDescriptionRoomPhoto.objects.get(pk=body["placeDescriptionRoomPhotoID"]).file.read())
    assert stored.size == (32, 64)
    assert stored.getexif().get(0x0112) is None
    top, bottom = stored.convert("RGB").getpixel((16, 8)), stored.convert("RGB").getpixel((16, 56))
    assert top[0] > 150 and top[1] < 100 and min(bottom) > 200


@pytest.mark.django_db
def test_type_comes_from_the_bytes_not_the_name(admin_client, room):
    gif = photo_bytes("GIF")
    assert_problem(_post(admin_client, room, upload(gif, "foto.jpg", "image/jpeg")), 415, "UnsupportedPhotoType")
    text = b"<svg onload=alert(1)>" * 10
    assert_problem(_post(admin_client, room, upload(text, "foto.png", "image/png")), 415, "UnsupportedPhotoType")
    broken = jpeg()[:200]
    assert_problem(_post(admin_client, room, upload(broken, "foto.jpg")), 400, "InvalidPhoto")
    assert not room.photos.exists()


@pytest.mark.django_db
def test_upload_validation_400_without_file(admin_client, room):
    body = assert_problem(admin_client.post(f"{ROOMS}/{room.pk}/photos", {"caption": "x"}, format="multipart"), 400)
    assert "file" in body["errors"]


@pytest.mark.django_db
def test_size_cap_413(admin_client, room, settings):
    settings.PLACES_PHOTO_MAX_BYTES = 100
    assert_problem(_post(admin_client, room, upload()), 413, "PhotoTooLarge")
    settings.PLACES_PHOTO_MAX_BYTES = 10**8
    settings.IMAGE_MAX_PIXELS = 1000
    assert_problem(_post(admin_client, room, upload(jpeg(size=(100, 100)))), 413, "PhotoTooLarge")
    assert not room.photos.exists()


@pytest.mark.django_db
def test_full_storage_refuses_uploads(admin_client, room, customer):
    StorageUsage.objects.update_or_create(customer=customer, defaults={"attachments_bytes": 60 * 1024**3})
    assert_problem(_post(admin_client, room, upload()), 413, "StorageLimitExceeded")


@pytest.mark.django_db
def test_list_photos_in_order(rep_client, room, django_assert_num_queries):
    later = PlaceDescriptionRoomPhotoFactory(customer=room.customer, room=room, sort_order=3)
    earlier = PlaceDescriptionRoomPhotoFactory(customer=room.customer, room=room, sort_order=1)
    PlaceDescriptionRoomPhotoFactory(customer=room.customer)  # another room
    with django_assert_num_queries(5):  # caller, plan features, room, its photos (prefetch), the list
        response = rep_client.get(f"{ROOMS}/{room.pk}/photos")
    assert [item["placeDescriptionRoomPhotoID"] for item in response.json()] == [earlier.pk, later.pk]
    assert response.json()[0]["thumbnailUrl"].endswith(f"{PUBLIC}/{earlier.access_token}/thumbnail")


@pytest.mark.django_db
def test_photo_caption_and_sort_order(rep_client, photo):
    response = rep_client.put(f"{PHOTOS}/{photo.pk}", {"caption": "Barst in tegel", "sortOrder": 7}, format="json")
    assert response.status_code == 200, response.content
    photo.refresh_from_db()
    assert (photo.caption, photo.sort_order) == ("Barst in tegel", 7)
    assert rep_client.get(f"{PHOTOS}/{photo.pk}").json()["caption"] == "Barst in tegel"


@pytest.mark.django_db
def test_photo_update_validation_400(admin_client, photo):
    body = assert_problem(
        admin_client.put(f"{PHOTOS}/{photo.pk}", {"caption": "x" * 501, "sortOrder": "z"}, format="json"), 400
    )
    assert {"caption", "sortOrder"} <= set(body["errors"])


@pytest.mark.django_db
def test_reorder_photos(admin_client, room, photo, other_customer):
    second = PlaceDescriptionRoomPhotoFactory(customer=room.customer, room=room)
    response = admin_client.put(f"{ROOMS}/{room.pk}/photos/order", {"photoIDs": [second.pk, photo.pk]}, format="json")
    assert [(item["placeDescriptionRoomPhotoID"], item["sortOrder"]) for item in response.json()] == [
        (second.pk, 0),
        (photo.pk, 1),
    ]
    foreign = PlaceDescriptionRoomPhotoFactory(customer=other_customer)
    for ids in ([photo.pk], [photo.pk, second.pk, foreign.pk], "x"):
        assert_problem(admin_client.put(f"{ROOMS}/{room.pk}/photos/order", {"photoIDs": ids}, format="json"), 400)


@pytest.mark.django_db
def test_delete_photo_releases_files_storage_and_hero(
    admin_client, report, room, customer, django_capture_on_commit_callbacks
):
    body = _post(admin_client, room, upload()).json()
    photo = PlaceDescriptionRoomPhoto.objects.get(pk=body["placeDescriptionRoomPhotoID"])
    PlaceDescriptionReport.objects.filter(pk=report.pk).update(hero_photo_access_token=photo.access_token)
    storage, names = photo.file.storage, (photo.file.name, photo.thumbnail.name, photo.export_image.name)
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.delete(f"{PHOTOS}/{photo.pk}")
    assert response.status_code == 204
    assert not any(storage.exists(name) for name in names)
    assert StorageUsage.objects.get(customer=customer).photos_bytes == 0
    report.refresh_from_db()
    assert report.hero_photo_access_token is None
    assert not PlaceDescriptionRoomPhoto.objects.filter(pk=photo.pk).exists()


@pytest.mark.django_db
def test_public_photo_by_token_serves_only_that_photo(anon_client, photo, other_customer):
    foreign = PlaceDescriptionRoomPhotoFactory(
        customer=other_customer, file=ContentFile(jpeg(color=(0, 0, 255)), "b.jpg")
    )
    response = anon_client.get(f"{PUBLIC}/{photo.access_token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline") and "photo.jpg" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert opened(content).convert("RGB").getpixel((4, 4))[0] > 150  # red, not the other tenant's blue photo
    foreign_content = b"".join(anon_client.get(f"{PUBLIC}/{foreign.access_token}").streaming_content)
    assert foreign_content != content
    partial = anon_client.get(f"{PUBLIC}/{photo.access_token}", HTTP_RANGE="bytes=0-9")
    assert partial.status_code == 206 and b"".join(partial.streaming_content) == content[:10]
    assert_problem(anon_client.get(f"{PUBLIC}/{uuid.uuid4()}"), 404, "NotFound")
    assert anon_client.get(f"{PUBLIC}/not-a-token").status_code == 404


@pytest.mark.django_db
def test_public_thumbnail_by_token(anon_client, admin_client, room):
    body = _post(admin_client, room, upload(photo_bytes("PNG", size=(1200, 600)), "kamer.png")).json()
    response = anon_client.get(f"{PUBLIC}/{body['accessToken']}/thumbnail")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "kamer-thumbnail.jpg" in response["Content-Disposition"]
    assert opened(b"".join(response.streaming_content)).size == (400, 200)
    rendition = PlaceDescriptionRoomPhoto.objects.get(access_token=body["accessToken"]).export_image
    assert opened(rendition.read()).size == (1024, 512)  # PLACES_EXPORT_IMAGE_PIXELS, for documents
    assert_problem(anon_client.get(f"{PUBLIC}/{uuid.uuid4()}/thumbnail"), 404, "NotFound")


@pytest.mark.django_db
def test_hero_photo_by_token(admin_client, report, photo):
    assert_problem(admin_client.get(f"/api/PlaceDescriptionReports/{report.pk}/hero-photo"), 404, "HeroPhotoNotSet")
    admin_client.put(
        f"/api/PlaceDescriptionReports/{report.pk}", {"heroPhotoAccessToken": str(photo.access_token)}, format="json"
    )
    response = admin_client.get(f"/api/PlaceDescriptionReports/{report.pk}/hero-photo")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
