"""Peak memory of storing the worst photos the server accepts (run by hand, not in CI).

    .venv/bin/python bench/image_memory.py [--workdir /tmp/image-bench] [--only png-rgb-26mp]

`make` (its own process) generates each case's image file in the work directory with Pillow; `setup` migrates a
scratch SQLite database there and creates a report with a room. Then every case runs in a fresh process: Django
set up, a tiny photo stored first (libraries, database connection and Pillow plugins warmed up), the idle RSS
read from /proc/self/statm, then the case's file stored through places.services.photo_store as Django hands
over a large upload (a TemporaryUploadedFile on disk), and the process peak (ru_maxrss) compared with the idle
RSS. Pillow's, libjpeg's and libheif's buffers are C allocations that tracemalloc does not see, so ru_maxrss is
the figure that counts. The cases are the largest images the default limits accept (IMAGE_MAX_PIXELS,
IMAGE_DECODE_MAX_BYTES, PLACES_PHOTO_STORED_MAX_PIXELS), each format at its own worst, and two refused ones.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name → (format, width, height, Pillow mode, save options, EXIF orientation or None)
CASES = {
    # The largest stored size, not reduced, turned by EXIF: decoded bitmap and its turned copy at once.
    "jpeg-12.6mp-turned": ("JPEG", 4096, 3072, "RGB", {"quality": 90}, 6),
    # 50 MP baseline JPEG (the pixel limit): decoded at half size by libjpeg, never at full size.
    "jpeg-50mp-turned": ("JPEG", 7071, 7071, "RGB", {"quality": 90}, 6),
    # Progressive JPEG: libjpeg keeps the whole image's coefficients (4:2:0: 3 bytes a pixel) at any scale.
    "jpeg-progressive-35mp": ("JPEG", 5900, 5900, "RGB", {"quality": 90, "progressive": True}, None),
    # PNG decodes at full size (4 bytes a pixel for RGB and RGBA) and is reduced by 2 (RGBA premultiplied first).
    "png-rgb-28mp": ("PNG", 5290, 5290, "RGB", {}, None),
    "png-rgba-15mp": ("PNG", 3940, 3940, "RGBA", {}, None),
    "png-12.6mp-turned": ("PNG", 4096, 3072, "RGB", {}, 6),
    # HEIF and WebP: the decoder's own buffers (6 to 15.5 bytes a pixel) beside Pillow's bitmap (4).
    "heif-iphone-12mp": ("HEIF", 4032, 3024, "RGB", {"quality": 80}, None),
    "heif-11.6mp-alpha": ("HEIF", 3410, 3410, "RGBA", {"quality": 80}, None),
    "webp-8.2mp": ("WEBP", 2860, 2860, "RGB", {"quality": 80}, None),
    "webp-7.2mp-alpha": ("WEBP", 2675, 2675, "RGBA", {"quality": 80}, None),
    # Refused from the header: the 143 KB 7000x7000 PNG of issue 18 (49 MP, 196 MB to decode) and 60 MP JPEG.
    "refused-png-49mp": ("PNG", 7000, 7000, "RGB", {}, None),
    "refused-heif-24mp": ("HEIF", 5712, 4284, "RGB", {"quality": 80}, None),
    "refused-jpeg-60mp": ("JPEG", 7746, 7746, "RGB", {"quality": 90}, None),
}


def _django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "answerpal.settings.local"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _picture(width: int, height: int, mode: str, image_format: str):
    """A camera-like picture: smooth gradients with mild noise, which compresses like a photo of a wall (a PNG
    without the noise, so that it stays under the upload limit; a flat grey at 49 MP: the tiny-file bomb)."""
    from PIL import Image, ImageChops

    if width * height == 49_000_000:
        return Image.new(mode, (width, height), (128, 128, 128))
    bands = []
    for index in range(3):
        band = Image.linear_gradient("L").rotate(index * 60).resize((width, height))
        if image_format != "PNG":
            band = ImageChops.add(band, Image.effect_noise((width, height), 12 + 4 * index), scale=2.0)
        bands.append(band)
    picture = Image.merge("RGB", bands)
    if mode == "RGBA":
        picture.putalpha(Image.linear_gradient("L").resize((width, height)))
    return picture


def make(workdir: Path, names: list[str]) -> dict:
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    sizes = {}
    for name in names:
        image_format, width, height, mode, options, orientation = CASES[name]
        picture = _picture(width, height, mode, image_format)
        if orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = orientation
            options = {**options, "exif": exif}
        path = workdir / f"{name}.{image_format.lower()}"
        picture.save(path, image_format, **options)
        sizes[name] = path.stat().st_size
    return sizes


def setup(workdir: Path) -> dict:
    from django.core.management import call_command

    from billing.models import CustomerSubscription, SubscriptionPlan
    from billing.services import plans_ensure_default
    from customers.models import Customer
    from places import services

    call_command("migrate", verbosity=0)
    plans_ensure_default()
    customer = Customer.objects.create(name="Bench", hostname=f"bench-{time.time_ns()}.test")
    CustomerSubscription.objects.create(customer=customer, plan=SubscriptionPlan.objects.get(code="enterprise"))
    report = services.report_create(
        customer_id=customer.pk, rep_id=None, data={"case_number": "PD-IMAGES", "address": "Veldstraat 10"}
    )
    room = services.room_create(report=report, data={"name": "Woonkamer"})
    return {"room": room.pk}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _upload(path: Path):
    """The file as Django hands over an upload above FILE_UPLOAD_MAX_MEMORY_SIZE: a temporary file on disk."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    upload = TemporaryUploadedFile(path.name, "application/octet-stream", path.stat().st_size, None)
    with path.open("rb") as source:
        shutil.copyfileobj(source, upload.file)
    upload.file.seek(0)
    return upload


def measure(workdir: Path, name: str, room_id: int) -> dict:
    import gc
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from answerpal.api.errors import ApiError
    from places import services
    from places.models import PlaceDescriptionRoom

    room = PlaceDescriptionRoom.objects.get(pk=room_id)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buffer, "JPEG")
    warm = services.photo_store(room=room, content=SimpleUploadedFile("w.jpg", buffer.getvalue()), file_name="w.jpg")
    services.photo_delete(photo=warm)
    path = next(workdir.glob(f"{name}.*"))
    upload = _upload(path)
    gc.collect()
    idle = _rss_bytes()
    started = time.perf_counter()
    try:
        photo = services.photo_store(room=room, content=upload, file_name=path.name)
        outcome = f"stored {photo.width}x{photo.height} {photo.content_type}, {photo.size} bytes"
    except ApiError as error:
        outcome = f"{error.status_code} {error.code}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"case": name, "outcome": outcome, "seconds": round(seconds, 2), "peak_above_idle_mb": (peak - idle) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", default="/tmp/image-bench")
    parser.add_argument("--only", action="append", choices=sorted(CASES))
    parser.add_argument("--phase", choices=["make", "setup", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--room", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    names = args.only or list(CASES)
    if args.phase == "make":
        print(json.dumps(make(workdir, names)))
        return
    if args.phase:
        _django(workdir)
        result = setup(workdir) if args.phase == "setup" else measure(workdir, args.case, args.room)
        print(json.dumps(result))
        return

    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)

    def phase(*extra: str) -> dict:
        command = [sys.executable, __file__, "--workdir", str(workdir), *extra]
        completed = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
        return json.loads(completed.stdout.strip().splitlines()[-1])

    sizes = phase("--phase", "make", *[f"--only={name}" for name in names])
    room = phase("--phase", "setup")["room"]
    print(f"{'case':<24} {'file':>10} {'peak above idle':>16} {'seconds':>8}  outcome")
    for name in names:
        result = phase("--phase", "measure", "--case", name, "--room", str(room))
        print(
            f"{name:<24} {sizes[name] / 1e6:>8.2f}MB {result['peak_above_idle_mb']:>14.1f}MB"
            f" {result['seconds']:>8.2f}  {result['outcome']}"
        )


if __name__ == "__main__":
    main()
