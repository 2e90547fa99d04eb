"""Photos generated with Pillow for the tests: JPEG (optionally with an EXIF orientation tag), PNG, WebP, HEIC."""

import io

from PIL import Image

# EXIF tag 0x0112: 6 means "rotate 90° clockwise to show upright".
ORIENTATION_TAG = 0x0112


def photo_bytes(
    image_format: str = "JPEG", size=(64, 32), color=(200, 40, 40), orientation: int | None = None, **options
):
    """An image of `size` (width, height); left half `color`, right half white, so the rotation shows."""
    image = Image.new("RGB", size, "white")
    image.paste(color, (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        options["exif"] = exif
    if image_format == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(**kwargs) -> bytes:
    return photo_bytes("JPEG", **kwargs)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
