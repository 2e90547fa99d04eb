"""Room photo processing with Pillow: the type comes from the bytes (never from the file name or the declared
type), the picture is stored upright with its metadata stripped (EXIF orientation applied; GPS and camera data
are not kept, the photo is shown publicly by token), and a JPEG thumbnail and a JPEG rendition for documents
are made from the decoded picture at once. HEIC/HEIF (iPhone photos)
decodes through pillow-heif and is stored as JPEG, which every browser and Word can show; JPEG, PNG and WebP
keep their format. `embeddable_jpeg` shrinks a stored photo that has no rendition (made before renditions
existed) when it goes into a DOCX, so an export's memory stays bounded by one photo at a time."""

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
ACCEPTED_TYPES = tuple(_STORED)
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


def embeddable_jpeg(handle, *, max_pixels: int) -> io.BytesIO:
    """A stored photo as a JPEG of at most `max_pixels` on the longer side, for embedding in a document
    (Word cannot show WebP; full-size camera photos would make exports huge). `draft` lets the JPEG decoder
    scale while decoding, so a 6000x4000 photo never sits in memory at full size."""
    with Image.open(handle) as image:
        ratio = max_pixels / max(image.size)
        if ratio < 1:
            # The box must have the photo's proportions: draft scales by the smaller of the two side ratios, and a
            # square box would make a 3:2 photo decode at full size (twice the time of half size).
            image.draft("RGB", (max(1, int(image.width * ratio)), max(1, int(image.height * ratio))))
        image.thumbnail((max_pixels, max_pixels), reducing_gap=2.0)
        buffer = io.BytesIO(_encoded(image, "JPEG", quality=EXPORT_JPEG_QUALITY))
    return buffer
