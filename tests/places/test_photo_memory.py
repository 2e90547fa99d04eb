"""Photos decoded within the memory budget: a header promising too many pixels or too many bytes is refused before
anything is decoded, Pillow's own bomb guard answers the same problem, large photos are stored reduced by a whole
factor (a JPEG decoded reduced by libjpeg), and no metadata survives the in-place turn."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile, JpegImagePlugin

from places.models import PlaceDescriptionRoomPhoto
from tests.conftest import assert_problem
from tests.places.conftest import upload
from tests.places.photos import ORIENTATION_TAG, jpeg, opened, photo_bytes

ROOMS = "/api/PlaceDescriptionRooms"
GPS_INFO_TAG = 0x8825


def _post(client, room, data, name="foto.png"):
    return client.post(f"{ROOMS}/{room.pk}/photos", {"file": upload(data, name)}, format="multipart")


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width x height RGB pixels (the data is an 8x8 picture):
    decoding it would allocate width x height x 4 bytes, reading its header costs nothing."""
    data = photo_bytes("PNG", size=(8, 8))
    assert data[12:16] == b"IHDR"
    header = struct.pack(">II", width, height) + data[24:29]
    return data[:16] + header + struct.pack(">I", zlib.crc32(b"IHDR" + header)) + data[33:]


@pytest.fixture
def loads(monkeypatch):
    """Every decode (ImageFile.load with pixels still to read) is recorded."""
    calls = []
    original = ImageFile.ImageFile.load

    def recording(image):
        if image.tile:
            calls.append(image.size)
        return original(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recording)
    return calls


@pytest.mark.django_db
def test_tiny_file_with_huge_header_is_refused_without_decoding(admin_client, room, loads):
    bomb = _png_claiming(7000, 7000)  # issue 18: 49 MP, about 196 MB to decode
    assert len(bomb) < 1000 and Image.open(io.BytesIO(bomb)).size == (7000, 7000)
    body = assert_problem(_post(admin_client, room, bomb), 413, "PhotoTooLarge")
    assert "MB to decode" in body["detail"]
    assert loads == [] and not room.photos.exists()


@pytest.mark.django_db
def test_pixel_limit_refuses_before_decoding(admin_client, room, loads, settings):
    settings.IMAGE_MAX_PIXELS = 40_000_000
    body = assert_problem(_post(admin_client, room, _png_claiming(7000, 7000)), 413, "PhotoTooLarge")
    assert "40000000 pixels" in body["detail"] and loads == []


@pytest.mark.django_db
def test_decode_budget_counts_bytes_per_pixel(admin_client, room, loads, settings):
    settings.IMAGE_DECODE_MAX_BYTES = 1_000_000
    grey = io.BytesIO()
    # 0.42 MB as a one-byte-a-pixel bitmap, twice that if an eXIf chunk after the pixels turns it: accepted.
    Image.new("L", (650, 650), 90).save(grey, "PNG")
    assert _post(admin_client, room, grey.getvalue()).status_code == 201
    colour = photo_bytes("PNG", size=(600, 600))  # 1.44 MB as RGB (four bytes a pixel in Pillow): refused
    loads.clear()
    assert_problem(_post(admin_client, room, colour), 413, "PhotoTooLarge")
    assert loads == [] and room.photos.count() == 1


@pytest.mark.django_db
def test_progressive_jpeg_counts_its_coefficients(admin_client, room, settings):
    # 1000x1000: a 4 MB bitmap; progressive 4:2:0 adds 3 MB of coefficients that libjpeg keeps whole.
    settings.IMAGE_DECODE_MAX_BYTES = 5_000_000
    assert _post(admin_client, room, jpeg(size=(1000, 1000)), "a.jpg").status_code == 201
    progressive = photo_bytes("JPEG", size=(1000, 1000), progressive=True)
    assert_problem(_post(admin_client, room, progressive, "b.jpg"), 413, "PhotoTooLarge")


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("limit", [100, 1500])  # Pillow errors above twice its limit and warns above it
def test_pillows_bomb_guard_answers_the_same_problem(admin_client, room, settings, monkeypatch, limit):
    settings.IMAGE_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    assert_problem(_post(admin_client, room, jpeg(), "a.jpg"), 413, "PhotoTooLarge")  # 64x32 = 2048 pixels


def test_pillow_limit_follows_the_setting(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS


@pytest.mark.django_db
def test_large_jpeg_is_decoded_reduced_and_stored_with_renditions(admin_client, room, settings, monkeypatch, loads):
    settings.PLACES_PHOTO_STORED_MAX_PIXELS = 150_000
    drafts = []
    original = JpegImagePlugin.JpegImageFile.draft

    def recording(image, mode, size):
        drafts.append(size)
        return original(image, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording)
    response = _post(admin_client, room, jpeg(size=(1600, 800), orientation=6), "groot.jpg")
    assert response.status_code == 201, response.content
    # 1.28 MP: libjpeg decodes at 1/4 (400x200, within 150,000 pixels), never at full size; then turned upright.
    assert drafts == [(400, 200)] and loads == [(400, 200)]
    assert (response.json()["width"], response.json()["height"]) == (200, 400)
    photo = PlaceDescriptionRoomPhoto.objects.get(pk=response.json()["placeDescriptionRoomPhotoID"])
    assert opened(photo.file.read()).size == (200, 400)
    assert opened(photo.thumbnail.read()).size == (200, 400)  # no larger than the stored photo
    assert opened(photo.export_image.read()).size == (200, 400)


@pytest.mark.django_db
def test_large_png_is_reduced_by_a_whole_factor(admin_client, room, settings):
    settings.PLACES_PHOTO_STORED_MAX_PIXELS = 300_000
    settings.PLACES_THUMBNAIL_PIXELS = 100
    response = _post(admin_client, room, photo_bytes("PNG", size=(1200, 800)))  # 0.96 MP → halved: 600x400
    assert response.status_code == 201, response.content
    photo = PlaceDescriptionRoomPhoto.objects.get(pk=response.json()["placeDescriptionRoomPhotoID"])
    stored = opened(photo.file.read())
    assert (stored.format, stored.size) == ("PNG", (600, 400))
    assert opened(photo.thumbnail.read()).size == (100, 67)
    left, right = stored.convert("RGB").getpixel((100, 200)), stored.convert("RGB").getpixel((500, 200))
    assert left[0] > 150 and left[1] < 100 and min(right) > 200


@pytest.mark.django_db
def test_no_metadata_survives_the_turn(admin_client, room):
    image = Image.new("RGB", (64, 32), "white")
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    exif[0x010F] = "PhoneMaker"  # camera make
    exif.get_ifd(GPS_INFO_TAG)[2] = (51.0, 3.0, 0.0)  # latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    response = _post(admin_client, room, buffer.getvalue(), "gps.jpg")
    assert response.status_code == 201, response.content
    stored = opened(
        PlaceDescriptionRoomPhoto.objects.get(pk=response.json()["placeDescriptionRoomPhotoID"]).file.read()
    )
    assert stored.size == (32, 64) and dict(stored.getexif()) == {} and "exif" not in stored.info


@pytest.mark.django_db
def test_phone_mpo_jpeg_is_decoded_reduced_too(admin_client, room, settings, loads):
    settings.PLACES_PHOTO_STORED_MAX_PIXELS = 150_000
    first, depth = Image.new("RGB", (1600, 800), "red"), Image.new("RGB", (1600, 800), "black")
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[depth])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    response = _post(admin_client, room, buffer.getvalue(), "phone.jpg")
    assert response.status_code == 201, response.content
    assert loads == [(400, 200)] and (response.json()["width"], response.json()["height"]) == (400, 200)
