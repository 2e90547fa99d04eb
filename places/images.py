"""Room photo processing with Pillow: the type comes from the bytes (never from the file name or the declared
type), the picture is stored upright with its metadata stripped (EXIF orientation applied; GPS and camera data
are not kept, the photo is shown publicly by token), and a JPEG thumbnail and a JPEG rendition for documents
are made from the decoded picture at once. HEIC/HEIF (iPhone photos)
decodes through pillow-heif and is stored as JPEG, which every browser and Word can show; JPEG, PNG and WebP
keep their format."""

import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

# Sniffed type → (Pillow format to store, stored content type, file extension).
_STORED = {
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/webp": ("WEBP", "image/webp", "webp"),
    "image/heic": ("JPEG", "image/jpeg", "jpg"),
    "image/heif": ("JPEG", "image/jpeg", "jpg"),
}
EXPORT_JPEG_QUALITY = 82


class PhotoRejected(Exception):
    """The upload is not a photo this app accepts; `code` is the API error code."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes
    export_image: bytes


def sniffed_type(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def _encoded(image: Image.Image, image_format: str, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=quality, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    else:
        image.save(buffer, image_format, optimize=True)
    return buffer.getvalue()


def _opened(data: bytes) -> Image.Image:
    """The decoded picture, upright; PhotoRejected when it does not decode or exceeds the pixel cap."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > settings.PLACES_PHOTO_MAX_PIXELS:
            raise PhotoRejected("PhotoTooLarge", f"Photos may have at most {settings.PLACES_PHOTO_MAX_PIXELS} pixels.")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise PhotoRejected("InvalidPhoto", "The file could not be read as an image.") from error
    return ImageOps.exif_transpose(image)


def photo_process(data: bytes) -> ProcessedPhoto:
    """Upright, metadata-free photo bytes in their stored format, a thumbnail (PLACES_THUMBNAIL_PIXELS on the
    longer side) and the document rendition (PLACES_EXPORT_IMAGE_PIXELS)."""
    content_type = sniffed_type(data[:8192])
    if content_type not in _STORED:
        raise PhotoRejected(
            "UnsupportedPhotoType",
            f"Photos must be JPEG, PNG, HEIC or WebP; this file is {content_type or 'not a known type'}.",
        )
    image_format, stored_type, extension = _STORED[content_type]
    image = _opened(data)
    stored = _encoded(image, image_format, quality=settings.PLACES_PHOTO_JPEG_QUALITY)
    rendition = image.copy()
    rendition.thumbnail((settings.PLACES_EXPORT_IMAGE_PIXELS,) * 2, reducing_gap=2.0)
    thumbnail = rendition.copy()
    thumbnail.thumbnail((settings.PLACES_THUMBNAIL_PIXELS,) * 2)
    return ProcessedPhoto(
        data=stored,
        content_type=stored_type,
        extension=extension,
        width=image.width,
        height=image.height,
        thumbnail=_encoded(thumbnail, "JPEG", quality=80),
        export_image=_encoded(rendition, "JPEG", quality=EXPORT_JPEG_QUALITY),
    )
