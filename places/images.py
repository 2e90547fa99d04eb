"""Room photo processing with Pillow: the type comes from the bytes (never from the file name or the declared
type), the picture is stored upright with its metadata stripped (EXIF orientation applied; GPS and camera data
are not kept, the photo is shown publicly by token), and a JPEG thumbnail and a JPEG rendition for documents
are made from the decoded picture at once. HEIC/HEIF (iPhone photos)
decodes through pillow-heif and is stored as JPEG, which every browser and Word can show, and so is WebP (libwebp's
encoder would need about 20 bytes a pixel to store it again as WebP); JPEG and PNG keep their format.

Decoding stays within a memory budget: the header is checked before anything is decoded (at most
IMAGE_MAX_PIXELS pixels, and at most IMAGE_DECODE_MAX_BYTES for what processing will hold at once: the bitmap
(width x height x bytes per pixel), libjpeg's coefficients of a progressive JPEG, libheif's or libwebp's buffers,
the reduced or turned copy). A photo larger than PLACES_PHOTO_STORED_MAX_PIXELS is stored reduced by a whole
factor: a JPEG is decoded reduced (libjpeg's DCT scaling through `draft`), so its full-size bitmap never exists;
other formats decode once at full size and are `reduce`d, the full-size bitmap dropped at once. Renditions are
made from the stored picture, never from a full-size copy."""

import io
import math
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from django.conf import settings
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()
# Pillow's own guard agrees with ours for any other Image.open in the process, and its warning (between one and
# two times the limit) is an error, not a line in the log; _opened refuses above the lower of the two limits itself,
# whatever the warning filters of the moment.
Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

# Sniffed type → (Pillow format to store, stored content type, file extension).
_STORED = {
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/webp": ("JPEG", "image/jpeg", "jpg"),
    "image/heic": ("JPEG", "image/jpeg", "jpg"),
    "image/heif": ("JPEG", "image/jpeg", "jpg"),
}
EXPORT_JPEG_QUALITY = 82
ORIENTATION_TAG = 0x0112
# Bytes per pixel of Pillow's bitmap by mode; every other mode (RGB included) takes four.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# libheif and libwebp decode into their own buffers (YCbCr planes, then RGB(A)), which Pillow then copies into its
# bitmap: what they hold at once beside it, in bytes a pixel, measured with bench/image_memory.py.
_DECODER_BYTES_PER_PIXEL = {("HEIF", "RGB"): 6.0, ("HEIF", "RGBA"): 8.0, ("WEBP", "RGB"): 13.0, ("WEBP", "RGBA"): 15.5}
_DECODER_FORMATS = {"HEIF", "WEBP"}
_DECODER_BYTES_PER_PIXEL_OTHER_MODES = 16.0
# Modes Pillow cannot reduce() by a factor; they are shrunk by nearest neighbour (no intermediate bitmap).
_NOT_REDUCIBLE = {"1", "P", "I;16", "I;16L", "I;16B", "I;16N"}


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


def _encoded(image: Image.Image, image_format: str, *, quality: int, optimize: bool = True) -> bytes:
    """The picture in `image_format`; `optimize` is off for full-size pictures because optimised JPEG Huffman
    tables make libjpeg and Pillow buffer the whole image (about six bytes a pixel)."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=quality, optimize=optimize)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=quality)
    else:
        image.save(buffer, image_format, optimize=optimize)
    return buffer.getvalue()


def _too_large(detail: str) -> PhotoRejected:
    return PhotoRejected("PhotoTooLarge", detail)


def _jpeg_coefficient_bytes(image: JpegImagePlugin.JpegImageFile) -> int:
    """The whole-image DCT coefficient buffer libjpeg keeps for a progressive JPEG (two bytes a coefficient, at
    full size even when decoding scaled); a baseline JPEG is decoded row by row and needs none."""
    if not (image.info.get("progressive") or image.info.get("progression")):
        return 0
    if image.layers == 3:
        components = {1: 2.0, 2: 1.5}.get(JpegImagePlugin.get_sampling(image), 3.0)  # 4:2:2, 4:2:0, else 4:4:4
    else:
        components = float(image.layers)
    return int(image.width * image.height * components * 2)


def _decode_scale(image: Image.Image, stored_pixels: int) -> int:
    """The whole factor by which a JPEG is decoded: the smallest of 1, 2, 4, 8 that brings it within the stored
    size (what a full decode and a reduce by a whole factor would store, without the full-size bitmap)."""
    pixels, scale = image.width * image.height, 1
    while scale < 8 and pixels / scale**2 > stored_pixels:
        scale *= 2
    return scale


def _reduce_factor(width: int, height: int, max_pixels: int) -> int:
    """The smallest whole factor that brings width x height within `max_pixels` (1 when it already is)."""
    factor = max(1, math.ceil(math.sqrt(width * height / max_pixels)))
    while (width // factor) * (height // factor) > max_pixels:
        factor += 1
    return factor


def _memory_needed(image: Image.Image, decoder_bytes: int) -> int:
    """The most bytes photo_process holds at once for this (not yet decoded) picture: the bitmap with the
    decoder's own buffers while it loads, then the bitmap with its reduced copy (a premultiplied copy first for
    RGBA and LA), then the stored bitmap with one copy of it when EXIF says it was taken turned or when its mode
    is not RGB or L (premultiplied to scale the renditions, converted to RGB to encode a JPEG)."""
    per_pixel = _BYTES_PER_PIXEL.get(image.mode, 4)
    bitmap = image.width * image.height * per_pixel
    factor = _reduce_factor(image.width, image.height, settings.PLACES_PHOTO_STORED_MAX_PIXELS)
    stored = (image.width // factor) * (image.height // factor) * per_pixel
    reducing = bitmap + stored + (bitmap if image.mode in ("RGBA", "LA") else 0) if factor > 1 else 0
    copied = 2 * stored if image.mode not in ("RGB", "L") or _maybe_turned(image) else 0
    return max(bitmap + decoder_bytes, reducing, copied)


def _maybe_turned(image: Image.Image) -> bool:
    """Whether the EXIF orientation may ask for a turn, read without decoding (getexif() would decode a PNG to
    look for an eXIf chunk after the pixels, so a PNG without one before them counts as turned)."""
    exif_bytes = image.info.get("exif")
    if not exif_bytes:
        return image.format == "PNG"
    exif = Image.Exif()
    exif.load(exif_bytes)
    return exif.get(ORIENTATION_TAG, 1) != 1


def _opened(source: BinaryIO) -> Image.Image:
    """The decoded picture (a JPEG already reduced on decode), within the memory budget; PhotoRejected when it
    does not decode or its header promises more than the limits allow."""
    try:
        image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_large(f"Photos may have at most {Image.MAX_IMAGE_PIXELS} pixels.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected("InvalidPhoto", "The file could not be read as an image.") from error
    limit = min(settings.IMAGE_MAX_PIXELS, Image.MAX_IMAGE_PIXELS or settings.IMAGE_MAX_PIXELS)
    if image.width * image.height > limit:
        raise _too_large(f"Photos may have at most {limit} pixels.")
    if isinstance(image, JpegImagePlugin.JpegImageFile):  # JPEG and MPO (a phone's JPEG with a depth map)
        decoder_bytes = _jpeg_coefficient_bytes(image)
        scale = _decode_scale(image, settings.PLACES_PHOTO_STORED_MAX_PIXELS)
        if scale > 1:
            image.draft(image.mode, (image.width // scale, image.height // scale))
    else:
        other_modes = _DECODER_BYTES_PER_PIXEL_OTHER_MODES if image.format in _DECODER_FORMATS else 0
        per_pixel = _DECODER_BYTES_PER_PIXEL.get((image.format, image.mode), other_modes)
        decoder_bytes = int(image.width * image.height * per_pixel)
    needed = _memory_needed(image, decoder_bytes)
    if needed > settings.IMAGE_DECODE_MAX_BYTES:
        raise _too_large(
            f"This photo needs {math.ceil(needed / 1e6)} MB to decode; the limit is "
            f"{settings.IMAGE_DECODE_MAX_BYTES // 1_000_000} MB. Upload it with fewer pixels."
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoRejected("InvalidPhoto", "The file could not be read as an image.") from error
    return image


def _reduced(image: Image.Image, max_pixels: int) -> Image.Image:
    """The picture with at most `max_pixels` pixels, shrunk by the smallest whole factor (a box filter, no
    intermediate bitmap); the caller drops the larger one."""
    factor = _reduce_factor(image.width, image.height, max_pixels)
    if factor == 1:
        return image
    if image.mode in _NOT_REDUCIBLE:
        return image.resize((image.width // factor, image.height // factor), Image.Resampling.NEAREST)
    return image.reduce(factor)


def _scaled(image: Image.Image, longer_side: int) -> Image.Image:
    """A new picture fitting a `longer_side` square (reduced first, so the resampling works on a small copy)."""
    ratio = min(1.0, longer_side / max(image.width, image.height))
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    if image.mode in _NOT_REDUCIBLE:
        return image.resize(size, Image.Resampling.NEAREST)
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


def photo_process(source: bytes | BinaryIO) -> ProcessedPhoto:
    """Upright, metadata-free photo bytes in their stored format (at most PLACES_PHOTO_STORED_MAX_PIXELS), a
    thumbnail (PLACES_THUMBNAIL_PIXELS on the longer side) and the document rendition
    (PLACES_EXPORT_IMAGE_PIXELS); `source` is the upload's bytes or its binary file, read from the start."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    source.seek(0)
    content_type = sniffed_type(source.read(8192))
    source.seek(0)
    if content_type not in _STORED:
        raise PhotoRejected(
            "UnsupportedPhotoType",
            f"Photos must be JPEG, PNG, HEIC or WebP; this file is {content_type or 'not a known type'}.",
        )
    image_format, stored_type, extension = _STORED[content_type]
    image = _reduced(_opened(source), settings.PLACES_PHOTO_STORED_MAX_PIXELS)
    # In place: the turned bitmap replaces the original, which is freed at once (and nothing is copied when the
    # photo is already upright).
    ImageOps.exif_transpose(image, in_place=True)
    image.info.pop("exif", None)
    image.info.pop("xmp", None)
    rendition = _scaled(image, settings.PLACES_EXPORT_IMAGE_PIXELS)
    thumbnail = _scaled(rendition, settings.PLACES_THUMBNAIL_PIXELS)
    width, height = image.size
    stored = _encoded(image, image_format, quality=settings.PLACES_PHOTO_JPEG_QUALITY, optimize=False)
    del image
    return ProcessedPhoto(
        data=stored,
        content_type=stored_type,
        extension=extension,
        width=width,
        height=height,
        thumbnail=_encoded(thumbnail, "JPEG", quality=80),
        export_image=_encoded(rendition, "JPEG", quality=EXPORT_JPEG_QUALITY),
    )
